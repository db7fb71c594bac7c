package dev.streamq.lab.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM options the JVM-mode deployment ships (deploy/k8s/components/jvm/jvm.env,
 * JAVA_OPTS_APPEND), read from that file so that the RSS the bench reports is measured with
 * exactly those options.
 */
final class JvmOptions {

    static final Path SHIPPED = Path.of("deploy", "k8s", "components", "jvm", "jvm.env");
    private static final String KEY = "JAVA_OPTS_APPEND=";

    private JvmOptions() {
    }

    /** The options, -Xmx first (ServiceProcess takes the heap apart from the rest). */
    static List<String> shipped() {
        String line;
        try {
            line = Files.readAllLines(SHIPPED).stream().filter(l -> l.startsWith(KEY)).findFirst()
                    .orElseThrow(() -> new IllegalStateException(SHIPPED + " has no " + KEY + " line"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SHIPPED, e);
        }
        List<String> options = Arrays.asList(line.substring(KEY.length()).trim().split("\\s+"));
        if (!options.get(0).startsWith("-Xmx")) {
            throw new IllegalStateException(SHIPPED + ": the first option must be -Xmx, got " + options.get(0));
        }
        return options;
    }
}
