// Generates the vectors in test_murmur2.c. Run: L=~/.cache/connect-c/kafka-4.1.0/lib;
// java -cp $L/kafka-clients-4.1.0.jar:$L/slf4j-api-1.7.36.jar Murmur2Vectors.java
// Columns: key bytes, Utils.murmur2, partition of 5, of 25, of 3.
import org.apache.kafka.common.utils.Utils;
import java.nio.charset.StandardCharsets;
public class Murmur2Vectors {
  public static void main(String[] a) {
    String[] keys = {"", "a", "ab", "abc", "abcd", "status-connector-fsink", "status-task-fsink-0",
      "status-task-my-sink-connector-12", "status-topic-orders:connector-sink-a", "connector-fsink",
      "commit-fsink", "h\u00e9llo-w\u00f6rld", "status-connector-\u65e5\u672c\u8a9e\u30b3\u30cd\u30af\u30bf",
      "status-task-\ud83d\ude80rocket-3", "\u00ff\u00fe\u00fd", "status-connector-x"};
    for (String k : keys) {
      byte[] b = k.getBytes(StandardCharsets.UTF_8);
      StringBuilder hex = new StringBuilder();
      for (byte x : b) hex.append(String.format("\\x%02x", x & 0xff));
      int h = Utils.murmur2(b);
      System.out.printf("{\"%s\", %d, %d, %d, %d},%n", hex, h, Utils.toPositive(h) % 5, Utils.toPositive(h) % 25, Utils.toPositive(h) % 3);
    }
  }
}
