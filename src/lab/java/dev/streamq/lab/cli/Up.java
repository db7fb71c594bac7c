package dev.streamq.lab.cli;

import dev.streamq.lab.Lab;
import dev.streamq.lab.RedisCluster;
import dev.streamq.lab.RedisDeployment;
import dev.streamq.lab.RedisNode;
import dev.streamq.lab.SentinelNode;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code lab up}: starts a topology and the service, runs the {@link Demo}, prints the
 * endpoints, and stops (or, with --keep, stays up until Ctrl-C or {@code lab down}, which
 * finds it by the PID file).
 */
record Up(Up.Options options, PrintStream out) {

    /** Where the PID of a --keep lab is written; `down` reads it. Relative to the project directory. */
    static final Path PID_FILE = Paths.get("target", "lab", "lab.pid");

    int run() {
        String shapeName = options.cluster ? "CLUSTER" : options.shape.name();
        Path workDir = Paths.get("target", "lab",
                shapeName.toLowerCase() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        out.println("lab: starting " + shapeName + " topology and streamq in " + workDir);
        long start = System.nanoTime();
        // A cluster runs as HA does: one API and two workers, every one given all six nodes as seeds.
        RedisDeployment redis = options.cluster ? RedisCluster.start(workDir.resolve("redis"))
                : Topology.start(options.shape, workDir.resolve("redis"));
        Lab lab = Lab.start(redis, workDir, options.jar, !options.cluster && options.shape == Topology.Shape.SINGLE ? 0 : 2,
                Map.of());
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C or `lab down` (SIGTERM): stop services gracefully, then redis; the Reaper
        // hook SIGKILLs whatever is still left, so nothing outlives the JVM.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                lab.close();
            } finally {
                deletePidFile();
                stopped.countDown();
            }
        }, "lab-down"));
        out.printf("lab: up in %.1f s%n", (System.nanoTime() - start) / 1e9);

        boolean demoOk = new Demo(lab.jobs(), out).run();
        printEndpoints(lab);
        if (!options.keep) {
            out.println("lab: stopping (use --keep to leave it running)");
            return demoOk ? LabMain.EXIT_OK : LabMain.EXIT_DEMO_FAILED;
        }
        writePidFile();
        out.println("lab: running; Ctrl-C or 'deploy/local/lab down' stops it (pid " + ProcessHandle.current().pid() + ")");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return LabMain.EXIT_OK;
    }

    private void printEndpoints(Lab lab) {
        out.println();
        out.println("API          " + lab.api().baseUrl() + "   (POST /queues/{queue}/jobs, GET /jobs/{id})");
        out.println("health       " + lab.api().managementUrl() + "/q/health");
        out.println("metrics      " + lab.api().managementUrl() + "/q/metrics");
        out.println("openapi      " + lab.api().baseUrl() + "/q/openapi");
        for (ServiceProcess service : lab.services()) {
            out.printf("service      %-9s role=%-6s pid=%-7d %s  log %s%n", service.name(), service.role(), service.pid(),
                    service.baseUrl(), service.logFile());
        }
        if (lab.redis() instanceof RedisCluster cluster) {
            printCluster(cluster);
            return;
        }
        Topology topology = lab.topology();
        RedisNode master = topology.currentMaster();
        for (RedisNode node : topology.nodes()) {
            out.printf("redis        %-9s port=%d pid=%d %s%n", node.name(), node.port(), node.pid(),
                    node == master ? "master" : "replica");
        }
        for (SentinelNode sentinel : topology.sentinels()) {
            out.printf("sentinel     %-9s port=%d pid=%d%n", sentinel.name(), sentinel.port(), sentinel.pid());
        }
        out.println("QUARKUS_REDIS_HOSTS=" + topology.redisHosts() + "  QUARKUS_REDIS_CLIENT_TYPE=" + topology.clientType());
        out.println("redis-cli    redis-cli -p " + (topology.sentinels().isEmpty()
                ? master.port() + " XINFO GROUPS <stream>"
                : topology.sentinels().get(0).port() + " SENTINEL get-master-addr-by-name " + topology.masterName()));
    }

    private void printCluster(RedisCluster cluster) {
        for (RedisCluster.Shard shard : cluster.shards()) {
            String slots = String.join(",", shard.slotRanges().stream().map(r -> r[0] == r[1] ? "" + r[0] : r[0] + "-" + r[1])
                    .toList());
            out.printf("redis        %-9s port=%d pid=%d master slots %s (%d)%n", shard.master().name(), shard.master().port(),
                    shard.master().pid(), slots, shard.slotCount());
            for (RedisNode replica : shard.replicas()) {
                out.printf("redis        %-9s port=%d pid=%d replica of %s%n", replica.name(), replica.port(), replica.pid(),
                        shard.master().name());
            }
        }
        out.println("QUARKUS_REDIS_HOSTS=" + cluster.redisHosts() + "  QUARKUS_REDIS_CLIENT_TYPE=cluster");
        out.println("redis-cli    redis-cli -c -p " + cluster.nodes().get(0).port() + " CLUSTER SHARDS   (-c follows MOVED/ASK)");
    }

    static int down(PrintStream out) {
        Optional<ProcessHandle> lab = readPidFile().flatMap(ProcessHandle::of);
        if (lab.isEmpty()) {
            out.println("lab: no running lab (" + PID_FILE + ")");
            deletePidFile();
            return LabMain.EXIT_OK;
        }
        ProcessHandle handle = lab.get();
        String commandLine = handle.info().commandLine().orElse("");
        if (!commandLine.contains(LabMain.class.getName())) {
            // The PID was reused by an unrelated process: never signal it.
            out.println("lab: pid " + handle.pid() + " is not a lab any more; removing stale " + PID_FILE);
            deletePidFile();
            return LabMain.EXIT_OK;
        }
        out.println("lab: stopping lab pid " + handle.pid());
        handle.destroy(); // SIGTERM: its shutdown hooks stop every child by PID
        try {
            handle.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            out.println("lab: pid " + handle.pid() + " still running after 60 s; kill -9 " + handle.pid() + " if needed");
            return LabMain.EXIT_DEMO_FAILED;
        }
        out.println("lab: stopped");
        return LabMain.EXIT_OK;
    }

    private static Optional<Long> readPidFile() {
        try {
            return Optional.of(Long.parseLong(Files.readString(PID_FILE).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void writePidFile() {
        try {
            Files.createDirectories(PID_FILE.getParent());
            Files.writeString(PID_FILE, ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deletePidFile() {
        try {
            Optional<Long> pid = readPidFile();
            // Only remove our own PID file, not one another lab wrote meanwhile.
            if (pid.isEmpty() || pid.get() == ProcessHandle.current().pid()) {
                Files.deleteIfExists(PID_FILE);
            }
        } catch (IOException ignored) {
            // A leftover PID file is detected as stale by `down`.
        }
    }

    /** Parsed options of `up`. */
    static final class Options {
        Topology.Shape shape = Topology.Shape.HA;
        /** --topology cluster: a {@link RedisCluster} instead of a Sentinel shape. */
        boolean cluster;
        boolean keep;
        Path jar = ServiceProcess.defaultJar();

        static Options parse(List<String> args) {
            Options options = new Options();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--keep")) {
                    options.keep = true;
                } else if (arg.equals("--topology") && i + 1 < args.size()) {
                    options.topology(args.get(++i));
                } else if (arg.startsWith("--topology=")) {
                    options.topology(arg.substring("--topology=".length()));
                } else if (arg.equals("--jar") && i + 1 < args.size()) {
                    options.jar = Paths.get(args.get(++i));
                } else {
                    throw new IllegalArgumentException("unknown option '" + arg + "' for up");
                }
            }
            return options;
        }

        private void topology(String text) {
            cluster = "cluster".equalsIgnoreCase(text.trim());
            if (cluster) {
                return;
            }
            try {
                shape = Topology.Shape.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("topology must be single, mvp, ha or cluster, not '" + text + "'");
            }
        }
    }

}
