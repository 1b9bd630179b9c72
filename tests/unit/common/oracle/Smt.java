import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.data.*;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.common.record.TimestampType;
import java.util.*;
import java.nio.file.*;
import java.nio.charset.StandardCharsets;

public class Smt {
    static byte[] unhex(String s) { byte[] b = new byte[s.length() / 2]; for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16); return b; }
    static String hex(String s) { StringBuilder sb = new StringBuilder(); for (byte x : s.getBytes(StandardCharsets.UTF_8)) sb.append(String.format("%02x", x)); return sb.toString(); }
    @SuppressWarnings("unchecked")
    public static void main(String[] a) throws Exception {
        for (String line : Files.readAllLines(Path.of(a[0]))) {
            String[] p = line.split("\t", 4);
            JsonConverter jc = new JsonConverter();
            jc.configure(Map.of("schemas.enable", p[2].equals("s") ? "false" : "true"), false);
            try {
                SchemaAndValue sv = jc.toConnectData("t", unhex(p[3]));
                SinkRecord r = new SinkRecord("orders-eu", 3, null, null, sv.schema(), sv.value(), 42L, 1700000000000L, TimestampType.CREATE_TIME);
                Transformation<SinkRecord> t = (Transformation<SinkRecord>) Class.forName("org.apache.kafka.connect.transforms." + p[0]).getDeclaredConstructor().newInstance();
                Map<String, String> cfg = new HashMap<>();
                if (!p[1].isEmpty()) for (String kv : p[1].split(";")) { int i = kv.indexOf('='); cfg.put(kv.substring(0, i), kv.substring(i + 1)); }
                t.configure(cfg);
                SinkRecord o = t.apply(r);
                System.out.println(o == null ? "DROP\t\t" : ("OK\t" + hex(o.topic()) + "\t" + hex(String.valueOf(o.value()))));
            } catch (Exception e) {
                System.out.println("ERR\t" + e.getClass().getName() + "\t" + hex(String.valueOf(e.getMessage())));
            }
        }
    }
}
