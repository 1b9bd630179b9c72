import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.data.*;
import org.apache.kafka.connect.header.*;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.common.record.TimestampType;
import java.util.*;
import java.nio.file.*;
import java.nio.charset.StandardCharsets;

/* Like Smt.java, for transforms that change keys, topics and headers: a record with headers
 * a="x" (STRING) and b=42 (INT8), key null; prints topic, key, value and the headers
 * ("name=value" joined by "; "). Class names are full names. */
public class Smt2 {
    static byte[] unhex(String s) { byte[] b = new byte[s.length() / 2]; for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16); return b; }
    static String hex(String s) { StringBuilder sb = new StringBuilder(); for (byte x : s.getBytes(StandardCharsets.UTF_8)) sb.append(String.format("%02x", x)); return sb.toString(); }
    @SuppressWarnings("unchecked")
    public static void main(String[] a) throws Exception {
        for (String line : Files.readAllLines(Path.of(a[0]))) {
            String[] p = line.split("\t", 4);
            JsonConverter jc = new JsonConverter();
            jc.configure(Map.of("schemas.enable", p[2].equals("s") ? "false" : "true"), false);
            try {
                SchemaAndValue sv = p[3].isEmpty() ? SchemaAndValue.NULL : jc.toConnectData("t", unhex(p[3]));
                ConnectHeaders hs = new ConnectHeaders();
                hs.addString("a", "x");
                hs.addByte("b", (byte) 42);
                SinkRecord r = new SinkRecord("orders-eu", 3, null, null, sv.schema(), sv.value(), 42L, 1700000000000L, TimestampType.CREATE_TIME, hs);
                Transformation<SinkRecord> t = (Transformation<SinkRecord>) Class.forName(p[0]).getDeclaredConstructor().newInstance();
                Map<String, String> cfg = new HashMap<>();
                if (!p[1].isEmpty()) for (String kv : p[1].split(";")) { int i = kv.indexOf('='); cfg.put(kv.substring(0, i), kv.substring(i + 1)); }
                t.configure(cfg);
                SinkRecord o = t.apply(r);
                if (o == null) { System.out.println("@@"+"DROP\t\t\t\t"); continue; }
                StringBuilder h = new StringBuilder();
                for (Header x : o.headers()) { if (h.length() > 0) h.append("; "); h.append(x.key()).append('=').append(String.valueOf(x.value())); }
                System.out.println("@@"+"OK\t" + hex(o.topic()) + "\t" + hex(String.valueOf(o.key())) + "\t" + hex(String.valueOf(o.value())) + "\t" + hex(h.toString()));
            } catch (Throwable e) {
                System.out.println("@@"+"ERR\t" + e.getClass().getName() + "\t" + hex(String.valueOf(e.getMessage())) + "\t\t");
            }
        }
    }
}
