// tests/integration/JmxDump.java: print every kafka.connect MBean attribute of a running
// JVM (attached by pid, through its local management agent) as
//   <ObjectName key list>\t<attribute>\t<value or !error>
// so test_metrics.py can map the JVM worker's metric names the way the JMX exporter does and
// compare them with connect-c's GET /metrics. Run: java JmxDump.java <pid>
import com.sun.tools.attach.VirtualMachine;
import java.util.TreeSet;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

public class JmxDump {
    public static void main(String[] args) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        String url = vm.startLocalManagementAgent();
        vm.detach();
        try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
            MBeanServerConnection s = c.getMBeanServerConnection();
            TreeSet<String> lines = new TreeSet<>();
            for (ObjectName n : s.queryNames(new ObjectName("kafka.connect:*"), null)) {
                for (MBeanAttributeInfo a : s.getMBeanInfo(n).getAttributes()) {
                    String v;
                    try {
                        v = String.valueOf(s.getAttribute(n, a.getName()));
                    } catch (Exception e) {
                        v = "!" + e.getClass().getSimpleName();
                    }
                    lines.add(n.getKeyPropertyListString() + "\t" + a.getName() + "\t"
                              + v.replace('\t', ' ').replace('\n', ' '));
                }
            }
            lines.forEach(System.out::println);
        }
    }
}
