package dev.streamq.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One script of src/lab/node run by {@code node} as a lab process (so it is stopped by PID and
 * reaped like the others), with the modules that {@code npm ci} installed from
 * src/lab/node/package-lock.json into target/lab-node (deploy/local/lab does that), found
 * through NODE_PATH so that no node_modules is needed beside the scripts.
 */
public final class NodeProcess extends LabProcess<NodeProcess> {

    /** The scripts, relative to the project directory. */
    public static final Path SCRIPTS = Paths.get("src", "lab", "node");

    private NodeProcess(String name, List<String> command, Map<String, String> env, Path logFile) {
        // SIGTERM: the BullMQ worker closes its Workers (finishes its jobs) within a few seconds
        super(0, logFile, new ManagedProcess(name, command, env, SCRIPTS.toAbsolutePath(), logFile), Duration.ofSeconds(10));
    }

    /** Where npm ci put the modules: system property {@code streamq.node-modules}, else target/lab-node/node_modules. */
    public static Path modules() {
        return Paths.get(System.getProperty("streamq.node-modules", "target/lab-node/node_modules")).toAbsolutePath();
    }

    /** Starts {@code node SCRIPT ARGS...}; stdout and stderr are appended to {@code logFile}. */
    public static NodeProcess start(String name, String script, List<String> args, Path logFile) {
        if (!Files.isDirectory(modules().resolve("bullmq"))) {
            throw new IllegalStateException(modules() + " has no bullmq: install it from the lock with "
                    + "'deploy/local/lab bench --peer bullmq' or 'deploy/local/lab test' (they run npm ci)");
        }
        List<String> command = new ArrayList<>(List.of("node", SCRIPTS.resolve(script).toAbsolutePath().toString()));
        command.addAll(args);
        return new NodeProcess(name, command, Map.of("NODE_PATH", modules().toString()), logFile.toAbsolutePath()).start();
    }

    /** The first output line starting with {@code prefix}; fails as soon as the process exits without it. */
    public String awaitLine(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean alive = isAlive(); // before the read: a line printed just before the exit is still seen
            Optional<String> line = line(prefix);
            if (line.isPresent()) {
                return line.get();
            }
            if (!alive) {
                throw new IllegalStateException(name() + " exited without printing " + prefix + ", see " + logFile());
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + name()
                        + " to print " + prefix + ", see " + logFile());
            }
            Await.sleep(Duration.ofMillis(20));
        }
    }

    private Optional<String> line(String prefix) {
        try {
            if (!Files.exists(logFile())) {
                return Optional.empty();
            }
            try (var lines = Files.lines(logFile())) {
                return lines.filter(l -> l.startsWith(prefix)).findFirst();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
