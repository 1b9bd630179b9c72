import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.data.*;
import java.util.*;
import java.nio.file.*;
import java.nio.charset.StandardCharsets;

public class Oracle {
    static byte[] unhex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return b;
    }
    static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) sb.append(String.format("%02x", x));
        return sb.toString();
    }
    public static void main(String[] a) throws Exception {
        Map<String, JsonConverter> convs = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(a[0]))) {
            String[] parts = line.split("\t", 2);
            String mode = parts[0];
            byte[] in = parts[1].equals("NULL") ? null : unhex(parts[1]);
            JsonConverter c = convs.computeIfAbsent(mode, m -> {
                JsonConverter j = new JsonConverter();
                Map<String, Object> cfg = new HashMap<>();
                cfg.put("schemas.enable", m.contains("s") ? "false" : "true");
                if (m.contains("r")) cfg.put("replace.null.with.default", "false");
                j.configure(cfg, false);
                return j;
            });
            try {
                SchemaAndValue sv = c.toConnectData("t", in);
                System.out.println("OK\t" + hex(String.valueOf(sv.value())));
            } catch (Exception e) {
                System.out.println("ERR\t" + e.getClass().getName() + "\t" + hex(String.valueOf(e.getMessage())));
            }
        }
    }
}
