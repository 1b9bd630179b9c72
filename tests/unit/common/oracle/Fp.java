import java.nio.file.*;
public class Fp {
    public static void main(String[] a) throws Exception {
        for (String line : Files.readAllLines(Path.of(a[0]))) {
            long bits = Long.parseUnsignedLong(line.trim(), 16);
            double d = Double.longBitsToDouble(bits);
            float f = Float.intBitsToFloat((int) bits);
            System.out.println(line.trim() + "\t" + Double.toString(d) + "\t" + Float.toString(f));
        }
    }
}
