// tests/integration/s3/AvroCat.java: read Avro object container files with Apache Avro's own
// Java reader (DataFileReader, GenericDatumReader), the JVM's view of what the S3 sink's
// AvroFormat wrote. For each file, one line: {"codec": ..., "schema": <the writer schema>,
// "records": [GenericData's JSON of each record]}. Run as a single-file source program with
// Avro and its dependencies on the class path (test_s3_avro.py: Apicurio's converter jars).
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;

public class AvroCat {
    public static void main(String[] args) throws Exception {
        for (String path : args) {
            GenericDatumReader<Object> dr = new GenericDatumReader<>();
            try (DataFileReader<Object> r = new DataFileReader<>(new File(path), dr)) {
                List<String> recs = new ArrayList<>();
                while (r.hasNext()) {
                    recs.add(GenericData.get().toString(r.next()));
                }
                StringBuilder sb = new StringBuilder();
                sb.append("{\"codec\":\"").append(r.getMetaString("avro.codec")).append("\",");
                sb.append("\"schema\":").append(r.getSchema().toString()).append(",");
                sb.append("\"records\":[").append(String.join(",", recs)).append("]}");
                System.out.println(sb);
            }
        }
    }
}
