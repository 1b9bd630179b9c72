import java.lang.reflect.*;
import java.util.*;
import org.apache.kafka.connect.runtime.*;
import org.apache.kafka.connect.runtime.rest.*;
import org.apache.kafka.connect.runtime.rest.entities.*;
import org.apache.kafka.connect.util.*;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.runtime.isolation.Plugins;

public class RestProbe {
    static Object handle(Method m, Object[] a) throws Throwable {
        String n = m.getName();
        Callback<Object> cb = null;
        if (a != null) for (Object o : a) if (o instanceof Callback) cb = (Callback<Object>) o;
        String name = (a != null && a.length > 0 && a[0] instanceof String) ? (String) a[0] : null;
        Map<String,String> cfg = new LinkedHashMap<>();
        cfg.put("connector.class", "FileStreamSink"); cfg.put("name", "sink-a"); cfg.put("topics", "t");
        ConnectorInfo info = new ConnectorInfo("sink-a", cfg, List.of(new ConnectorTaskId("sink-a", 0)), org.apache.kafka.connect.runtime.rest.entities.ConnectorType.SINK);
        Object result = null; Throwable err = null;
        switch (n) {
            case "connectors": result = List.of("sink-a"); break;
            case "kafkaClusterId": result = "CLUSTERID"; break;
            case "isReady": result = true; break;
            case "plugins": result = plugins; break;
            case "connectMetrics": result = metrics; break;
            case "connectorInfo": if ("sink-a".equals(name)) result = info; else err = new NotFoundException("Connector " + name + " not found"); break;
            case "connectorConfig": if ("sink-a".equals(name)) result = cfg; else err = new NotFoundException("Connector " + name + " not found"); break;
            case "connectorStatus":
                result = new ConnectorStateInfo("sink-a", new ConnectorStateInfo.ConnectorState("RUNNING", "h:8083", null, "4.1.0"),
                    List.of(new ConnectorStateInfo.TaskState(0, "FAILED", "h:8083", "trace\nline", "4.1.0"), new ConnectorStateInfo.TaskState(1, "RUNNING", "h:8083", "", null)),
                    org.apache.kafka.connect.runtime.rest.entities.ConnectorType.SINK); break;
            case "putConnectorConfig": case "patchConnectorConfig":
                System.err.println("PUT " + name + " " + a[1] + (a.length > 4 ? " state=" + a[2] : ""));
                result = new Herder.Created<>(true, info); break;
            case "tasksConfig": result = Map.of(new ConnectorTaskId("sink-a", 0), Map.of("k", "v")); break;
            case "taskConfigs": result = List.of(new TaskInfo(new ConnectorTaskId("sink-a", 0), Map.of("k", "v"))); break;
            case "connectorOffsets": result = new ConnectorOffsets(List.of(new ConnectorOffset(Map.of("kafka_topic", "t"), Map.of("kafka_offset", 5L)))); break;
            case "alterConnectorOffsets": System.err.println("ALTER " + a[1]); result = new Message("ok"); break;
            case "allLoggerLevels": result = new TreeMap<>(Map.of("root", new LoggerLevel("INFO", null), "org.x", new LoggerLevel("DEBUG", 17L))); break;
            case "loggerLevel": result = "root".equals(name) ? new LoggerLevel("INFO", null) : null; break;
            case "setWorkerLoggerLevel": result = List.of(name); break;
            case "connectorActiveTopics": result = new ActiveTopicsInfo(name, List.of("a", "b")); break;
            case "validateConnectorConfig": System.err.println("VALIDATE " + a[0].getClass() + " " + a[0]); err = new org.apache.kafka.connect.runtime.rest.errors.BadRequestException("Connector config " + new HashMap<>((Map)a[0]) + " contains no connector type"); break;
            default: break;
        }
        if (cb != null) { cb.onCompletion(err, result); return null; }
        if (err != null) throw err;
        if (m.getReturnType() == boolean.class) return result == null ? false : result;
        return result;
    }
    static Map<String,String> wp; static Plugins plugins; static ConnectMetrics metrics;
    public static void main(String[] args) throws Exception {
        plugins = new Plugins(Map.of());
        wp = new HashMap<>(); wp.put("bootstrap.servers","localhost:9"); wp.put("key.converter","org.apache.kafka.connect.json.JsonConverter"); wp.put("value.converter","org.apache.kafka.connect.json.JsonConverter"); wp.put("offset.storage.file.filename","/tmp/x");
        metrics = new ConnectMetrics("w", new org.apache.kafka.connect.runtime.standalone.StandaloneConfig(wp), org.apache.kafka.common.utils.Time.SYSTEM, "c");
        Herder h = (Herder) Proxy.newProxyInstance(RestProbe.class.getClassLoader(), new Class<?>[]{Herder.class},
            (p, m, a) -> handle(m, a));
        Map<String, Object> props = new HashMap<>();
        props.put("listeners", "http://127.0.0.1:" + args[0]);
        if (args.length > 1) props.put("access.control.allow.origin", args[1]);
        ConnectRestServer s = new ConnectRestServer(null, new RestClient(new org.apache.kafka.connect.runtime.standalone.StandaloneConfig(wp)), props);
        s.initializeServer();
        s.initializeResources(h);
        System.err.println("READY");
        Thread.sleep(Long.MAX_VALUE);
    }
}
