package dev.streamq.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Command line of the lab, run by {@code deploy/local/lab}:
 *
 * <pre>
 *   up [--topology single|mvp|ha] [--keep] [--jar PATH]   start, run demo jobs, report, stop (or stay up)
 *   down                                                   stop a lab left running with --keep
 *   drill NAME [options] | drills [options]                fault drills (dev.streamq.lab.drill.DrillCli)
 *   bench [options]                                        benchmark (dev.streamq.lab.bench.Bench)
 * </pre>
 *
 * Exit codes: 0 ok, 1 a demo job or a drill did not end as expected, 64 usage error.
 */
public final class LabMain {

    static final int EXIT_OK = 0;
    static final int EXIT_DEMO_FAILED = 1;
    static final int EXIT_NOT_IMPLEMENTED = 2;
    static final int EXIT_USAGE = 64;

    /** Where the PID of a --keep lab is written; `down` reads it. Relative to the project directory. */
    static final Path PID_FILE = Paths.get("target", "lab", "lab.pid");

    private final PrintStream out;

    LabMain(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = new LabMain(System.out).run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("lab: " + e.getMessage());
            usage(System.err);
            code = EXIT_USAGE;
        } catch (RuntimeException e) {
            System.err.println("lab: failed: " + e);
            e.printStackTrace();
            code = EXIT_DEMO_FAILED;
        }
        // System.exit runs the shutdown hooks: every child process is killed by PID.
        System.exit(code);
    }

    int run(String[] args) {
        String command = args.length == 0 ? "help" : args[0];
        List<String> rest = List.of(args).subList(Math.min(1, args.length), args.length);
        switch (command) {
            case "up":
                return up(UpOptions.parse(rest));
            case "down":
                return down();
            case "drill":
                return dev.streamq.lab.drill.DrillCli.drill(rest, out);
            case "drills":
                return dev.streamq.lab.drill.DrillCli.drills(rest, out);
            case "bench":
                return dev.streamq.lab.bench.Bench.run(rest, out);
            case "help":
            case "-h":
            case "--help":
                usage(out);
                return EXIT_OK;
            default:
                throw new IllegalArgumentException("unknown command '" + command + "'");
        }
    }

    static void usage(PrintStream stream) {
        stream.println("usage: lab up [--topology single|mvp|ha] [--keep] [--jar PATH]");
        stream.println("       lab down");
        stream.println("       lab drill NAME [--duration S] [--rate R] [--seed N] [--fail-share F] [--out DIR]   one fault drill");
        stream.println("       lab drills [--duration S] [--rate R] [--seed N] [--fail-share F] [--out DIR]       every drill + summary");
        stream.println("       lab bench [--fill N] [--e2e-rate R] [--e2e-seconds S] [--submit-seconds S] [--warmup-seconds S]");
        stream.println("                 [--connections N] [--batch-connections N] [--ramp R1,R2,...]         throughput/latency bench");
        stream.println("                 drill options: [--kills N] (master-kill soak) [--hold-ms MS] (lagging-replica)");
        stream.println("                 [--all-replicas true|false] (services' STREAMQ_DURABILITY_ALL_REPLICAS)");
        stream.println("  drills: " + String.join(" ", dev.streamq.lab.drill.Drill.Scenario.names()));
    }

    private int up(UpOptions options) {
        Path workDir = Paths.get("target", "lab",
                options.shape.name().toLowerCase() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        out.println("lab: starting " + options.shape + " topology and streamq in " + workDir);
        long start = System.nanoTime();
        Lab lab = Lab.start(options.shape, workDir, options.jar);
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
            return demoOk ? EXIT_OK : EXIT_DEMO_FAILED;
        }
        writePidFile();
        out.println("lab: running; Ctrl-C or 'deploy/local/lab down' stops it (pid " + ProcessHandle.current().pid() + ")");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    private void printEndpoints(Lab lab) {
        Topology topology = lab.topology();
        out.println();
        out.println("API          " + lab.api().baseUrl() + "   (POST /queues/{queue}/jobs, GET /jobs/{id})");
        out.println("health       " + lab.api().baseUrl() + "/q/health");
        out.println("metrics      " + lab.api().baseUrl() + "/q/metrics");
        out.println("openapi      " + lab.api().baseUrl() + "/q/openapi");
        for (ServiceProcess service : lab.services()) {
            out.printf("service      %-9s role=%-6s pid=%-7d %s  log %s%n", service.name(), service.role(), service.pid(),
                    service.baseUrl(), service.logFile());
        }
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

    private int down() {
        Optional<ProcessHandle> lab = readPidFile().flatMap(ProcessHandle::of);
        if (lab.isEmpty()) {
            out.println("lab: no running lab (" + PID_FILE + ")");
            deletePidFile();
            return EXIT_OK;
        }
        ProcessHandle handle = lab.get();
        String commandLine = handle.info().commandLine().orElse("");
        if (!commandLine.contains(LabMain.class.getName())) {
            // The PID was reused by an unrelated process: never signal it.
            out.println("lab: pid " + handle.pid() + " is not a lab any more; removing stale " + PID_FILE);
            deletePidFile();
            return EXIT_OK;
        }
        out.println("lab: stopping lab pid " + handle.pid());
        handle.destroy(); // SIGTERM: its shutdown hooks stop every child by PID
        try {
            handle.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            out.println("lab: pid " + handle.pid() + " still running after 60 s; kill -9 " + handle.pid() + " if needed");
            return EXIT_DEMO_FAILED;
        }
        out.println("lab: stopped");
        return EXIT_OK;
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
            throw new java.io.UncheckedIOException(e);
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
    static final class UpOptions {
        Topology.Shape shape = Topology.Shape.HA;
        boolean keep;
        Path jar = ServiceProcess.defaultJar();

        static UpOptions parse(List<String> args) {
            UpOptions options = new UpOptions();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--keep")) {
                    options.keep = true;
                } else if (arg.equals("--topology") && i + 1 < args.size()) {
                    options.shape = parseShape(args.get(++i));
                } else if (arg.startsWith("--topology=")) {
                    options.shape = parseShape(arg.substring("--topology=".length()));
                } else if (arg.equals("--jar") && i + 1 < args.size()) {
                    options.jar = Paths.get(args.get(++i));
                } else {
                    throw new IllegalArgumentException("unknown option '" + arg + "' for up");
                }
            }
            return options;
        }

        private static Topology.Shape parseShape(String text) {
            try {
                return Topology.Shape.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("topology must be single, mvp or ha, not '" + text + "'");
            }
        }
    }

    /**
     * The demo: one job of each kind, chosen so every path of the job life cycle shows up
     * (success, retry then success, dead letter, delayed start, idempotent replay, batch).
     */
    static final class Demo {
        private final JobsClient jobs;
        private final PrintStream out;

        Demo(JobsClient jobs, PrintStream out) {
            this.jobs = jobs;
            this.out = out;
        }

        boolean run() {
            String queue = "demo";
            List<String[]> submitted = new ArrayList<>(); // {id, label, expected state}
            submitOne(submitted, queue, "noop", JobsClient.job("noop", Map.of(), null, null), null, "succeeded");
            submitOne(submitted, queue, "sleep 300 ms", JobsClient.job("sleep", Map.of("ms", 300), null, null), null,
                    "succeeded");
            submitOne(submitted, queue, "cpu", JobsClient.job("cpu", Map.of("iterations", 100_000), null, null), null,
                    "succeeded");
            submitOne(submitted, queue, "fails once, retried",
                    JobsClient.job("fail", Map.of("failures", 1), 3, null), null, "succeeded");
            submitOne(submitted, queue, "always fails -> dead",
                    JobsClient.job("fail", Map.of("failures", 100), 2, null), null, "dead");
            submitOne(submitted, queue, "runAt now+2s",
                    JobsClient.job("noop", Map.of(), null, Instant.now().plusSeconds(2).toString()), null, "succeeded");
            String key = "lab-demo-" + System.nanoTime();
            submitOne(submitted, queue, "idempotent (1st)", JobsClient.job("noop", Map.of(), null, null), key, "succeeded");
            JobsClient.Reply replay = jobs.submit(queue, JobsClient.job("noop", Map.of(), null, null), key);
            String replayId = String.valueOf(replay.body().get("id"));
            boolean replayOk = replay.status() / 100 == 2 && replayId.equals(submitted.get(submitted.size() - 1)[0]);
            out.printf("  idempotent replay -> HTTP %d, same id: %s%n", replay.status(), replayOk);

            JobsClient.Reply batch = jobs.submitBatch(queue, List.of(
                    JobsClient.job("noop", Map.of(), null, null), JobsClient.job("noop", Map.of(), null, null)));
            out.println("  batch of 2 -> HTTP " + batch.status());
            if (batch.body().get("jobs") instanceof List<?> list) {
                for (Object item : list) {
                    if (item instanceof Map<?, ?> accepted) {
                        submitted.add(new String[] {String.valueOf(accepted.get("id")), "batch noop", "succeeded"});
                    }
                }
            }

            out.println();
            out.printf("%-44s %-24s %-10s %-9s %s%n", "job id", "what", "state", "attempts", "last error");
            boolean ok = replayOk && batch.status() == 202;
            for (String[] job : submitted) {
                Map<String, Object> view = job[0] == null ? Map.of("state", "not accepted")
                        : jobs.awaitTerminal(job[0], Duration.ofSeconds(60));
                String state = String.valueOf(view.get("state"));
                boolean expected = state.equals(job[2]);
                ok &= expected;
                out.printf("%-44s %-24s %-10s %-9s %s%s%n", job[0], job[1], state, view.getOrDefault("attempts", "-"),
                        view.getOrDefault("lastError", ""), expected ? "" : "   <-- expected " + job[2]);
            }
            out.println(ok ? "demo: every job ended as expected" : "demo: some jobs did NOT end as expected");
            return ok;
        }

        private void submitOne(List<String[]> submitted, String queue, String label, Map<String, Object> body,
                String idempotencyKey, String expected) {
            JobsClient.Reply reply = jobs.submit(queue, body, idempotencyKey);
            String id = reply.status() / 100 == 2 ? String.valueOf(reply.body().get("id")) : null;
            if (id == null) {
                out.println("  " + label + " -> HTTP " + reply.status() + " " + reply.text());
            }
            submitted.add(new String[] {id, label, expected});
        }
    }
}
