// tests/integration/s3/SnappyJavaCat.java: each file named on the command line read through
// snappy-java's SnappyInputStream (what Aiven's CompressionType.SNAPPY reads its own files
// with) and written to stdout; exits non-zero when a file is not such a stream.
// Run: java -cp snappy-java-<v>.jar SnappyJavaCat.java FILE...
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.xerial.snappy.SnappyCodec;
import org.xerial.snappy.SnappyInputStream;

public class SnappyJavaCat {
    public static void main(String[] args) throws Exception {
        for (String name : args) {
            byte[] head = new byte[8];
            try (InputStream raw = Files.newInputStream(Path.of(name))) {
                // SnappyInputStream reads a file without the stream header as one raw block:
                // insist on the header, as that is what SnappyOutputStream writes
                if (raw.readNBytes(head, 0, 8) != 8 || !SnappyCodec.hasMagicHeaderPrefix(head)) {
                    System.err.println(name + ": no snappy-java stream header");
                    System.exit(2);
                }
            }
            try (InputStream in = new SnappyInputStream(
                    new BufferedInputStream(Files.newInputStream(Path.of(name))))) {
                in.transferTo(System.out);
            }
        }
        System.out.flush();
    }
}
