package dev.streamq.lab.bench;

import dev.streamq.lab.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JVM options the JVM-mode deployment ships (deploy/k8s/components/jvm/jvm.env,
 * JAVA_OPTS_APPEND), read from that file so that the RSS the bench reports is measured with
 * exactly those options.
 */
public final class JvmOptions {

    static final Path SHIPPED = Path.of("deploy", "k8s", "components", "jvm", "jvm.env");
    private static final String KEY = "JAVA_OPTS_APPEND=";

    private JvmOptions() {
    }

    /**
     * The file's other variables (MALLOC_ARENA_MAX): environment of the process, as the
     * ConfigMap the file becomes gives them to the pod.
     */
    static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : lines()) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#") && !line.startsWith(KEY)) {
                env.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return env;
    }

    /** Gives the service these options (-Xmx first, as {@link #shipped} has them) and the file's environment. */
    public static ServiceProcess.Builder apply(ServiceProcess.Builder service, List<String> options) {
        service.maxHeap(options.get(0)).env(environment());
        options.subList(1, options.size()).forEach(service::jvmArg);
        return service;
    }

    private static List<String> lines() {
        try {
            return Files.readAllLines(SHIPPED);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SHIPPED, e);
        }
    }

    /** The options, -Xmx first (ServiceProcess takes the heap apart from the rest). */
    public static List<String> shipped() {
        String line = lines().stream().filter(l -> l.startsWith(KEY)).findFirst()
                .orElseThrow(() -> new IllegalStateException(SHIPPED + " has no " + KEY + " line"));
        List<String> options = Arrays.asList(line.substring(KEY.length()).trim().split("\\s+"));
        if (!options.get(0).startsWith("-Xmx")) {
            throw new IllegalStateException(SHIPPED + ": the first option must be -Xmx, got " + options.get(0));
        }
        return options;
    }
}
