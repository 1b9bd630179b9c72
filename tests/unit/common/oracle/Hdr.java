import org.apache.kafka.connect.storage.*;
import org.apache.kafka.connect.data.*;
import java.util.*;
import java.nio.file.*;
import java.nio.charset.StandardCharsets;
public class Hdr {
    static byte[] unhex(String s) { byte[] b = new byte[s.length() / 2]; for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16); return b; }
    static String hex(String s) { StringBuilder sb = new StringBuilder(); for (byte x : s.getBytes(StandardCharsets.UTF_8)) sb.append(String.format("%02x", x)); return sb.toString(); }
    public static void main(String[] a) throws Exception {
        SimpleHeaderConverter h = new SimpleHeaderConverter(); h.configure(new HashMap<>());
        StringConverter sc = new StringConverter(); sc.configure(new HashMap<>(), false);
        for (String line : Files.readAllLines(Path.of(a[0]))) {
            String[] p = line.split("\t", 2);
            byte[] in = unhex(p[1]);
            SchemaAndValue sv = p[0].equals("h") ? h.toConnectHeader("t", "k", in) : sc.toConnectData("t", in);
            if (sv == null) { System.out.println("NULLSV\t"); continue; }
            String st = sv.schema() == null ? "null" : (sv.schema().type() + (sv.schema().name() != null ? ":" + sv.schema().name() : ""));
            System.out.println(st + "\t" + hex(String.valueOf(sv.value())));
        }
    }
}
