package dev.streamq.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamq.lab.Await;
import dev.streamq.lab.Percentile;
import dev.streamq.lab.RespClient;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lab bench --peer bullmq}: streamq and BullMQ side by side on one redis-server, in one
 * sitting, interleaved round by round (streamq, BullMQ, streamq, BullMQ ...), medians of the
 * rounds. Each side's round starts its processes fresh on an emptied Redis (FLUSHALL) and runs,
 * each on its own queue warmed up first with {@code --warmup-jobs} jobs:
 *
 * <ol>
 *   <li>end to end, single submits: {@code --jobs} noop jobs, 50 requests in flight, from the
 *       first submit to the last job finished;</li>
 *   <li>the same with batches of 100 (streamq's /jobs/batch, BullMQ's addBulk);</li>
 *   <li>paced: 500 single submits a second, a first window of {@code --paced-warmup-seconds} (20 s)
 *       reported apart, then the measured 20 s: submit→finished p50 / p99 / max, where
 *       submit is the client's clock just before it sends the job and finished is the side's own
 *       record (streamq's job_succeeded log time, BullMQ's finishedOn);</li>
 * </ol>
 *
 * and for each run the CPU per job of the process that runs the jobs, of redis-server (both from
 * /proc/PID/stat over the window from the measured client's start to the last job finished) and
 * of the load client (its own getrusage from first submit to last answer). The load client is
 * {@link NodeLoad} on both sides. {@code --peer jar:PATH} puts another build of streamq (its
 * quarkus-run.jar, run with this checkout's JVM options) in BullMQ's place: an A/B of two builds,
 * interleaved on the same Redis, for levers that this box's drift hides in runs taken apart.
 */
public final class PeerBench {

    private final PrintStream out;
    private final Path dir;
    private final PeerOptions o;
    private final NodeLoad load;

    private PeerBench(PrintStream out, Path dir, PeerOptions options) {
        this.out = out;
        this.dir = dir.toAbsolutePath();
        this.o = options;
        this.load = new NodeLoad(this.dir.resolve("clients"));
    }

    /** True when {@code lab bench} is asked for the side-by-side runs. */
    public static boolean wanted(List<String> args) {
        return args.contains("--peer");
    }

    public static int run(List<String> args, PrintStream out) {
        PeerOptions options = PeerOptions.parse(args);
        Path dir = Paths.get("target", "bench", "peer-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return new PeerBench(out, dir, options).run();
    }

    private int run() {
        String loadAtStart = CpuShare.loadAverage();
        out.println("peer: " + o.command());
        out.println("peer: load average (1/5/15 min) at start: " + loadAtStart + "; results in " + dir);
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"))) {
            int port = topology.currentMaster().port();
            long redisPid = topology.currentMaster().pid();
            Contender peer = o.peerJar() == null ? new BullmqContender(port, dir.resolve("bullmq"), o.concurrency)
                    : new StreamqContender("streamq " + o.peerJar(), o.peerJar(), topology, dir.resolve("peer-jar"), o.concurrency);
            List<Contender> sides = List.of(
                    new StreamqContender("streamq", ServiceProcess.defaultJar(), topology, dir.resolve("streamq"), o.concurrency), peer);
            PeerTable table = new PeerTable(sides.get(0).name(), sides.get(1).name());
            for (int round = 1; round <= o.rounds; round++) {
                for (Contender side : sides) {
                    out.printf("peer: round %d/%d, %s%n", round, o.rounds, side.name());
                    new Round(side, port, redisPid, table, round).run();
                    RespClient.once(port, Duration.ofSeconds(60), "FLUSHALL");
                }
            }
            String loadAtEnd = CpuShare.loadAverage();
            String report = report(table, sides, loadAtStart, loadAtEnd);
            out.print(report);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("peer.md"), report);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("command", o.command());
            json.put("client", loadClient(sides));
            json.put("load_average_start", loadAtStart);
            json.put("load_average_end", loadAtEnd);
            json.put("rounds", table.values());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("peer.json").toFile(), json);
            out.println("peer: results in " + dir.resolve("peer.md") + " and peer.json");
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The load client and how it submits to each side. */
    private static String loadClient(List<Contender> sides) {
        return NodeLoad.CLIENT + " (" + sides.get(0).submitsWith() + " | " + sides.get(1).submitsWith() + ")";
    }

    private String report(PeerTable table, List<Contender> sides, String loadAtStart, String loadAtEnd) {
        return String.format(Locale.ROOT, "%n%s%n"
                + "- load client: %s, %d requests in flight (batch runs: %d jobs a request)%n"
                + "- service process: %s | %s, worker concurrency %d%n"
                + "- submit→finished: the client's clock before the request → %s's %s | %s's %s%n"
                + "- machine: %d cores; load average (1/5/15 min) at start %s, at end %s%n"
                + "- command: %s%n",
                table.markdown(), loadClient(sides), o.inFlight, o.batch,
                sides.get(0).service(), sides.get(1).service(), o.concurrency,
                sides.get(0).name(), sides.get(0).finishedRecord(), sides.get(1).name(), sides.get(1).finishedRecord(),
                Runtime.getRuntime().availableProcessors(), loadAtStart, loadAtEnd, o.command());
    }

    /** One side's round: its processes, then the three runs on their own queues. */
    private final class Round {
        private final Contender side;
        private final int redisPort;
        private final long redisPid;
        private final PeerTable table;
        private final int round;

        Round(Contender side, int redisPort, long redisPid, PeerTable table, int round) {
            this.side = side;
            this.redisPort = redisPort;
            this.redisPid = redisPid;
            this.table = table;
            this.round = round;
        }

        void run() {
            String single = "peer-single-r" + round;
            String batch = "peer-batch-r" + round;
            String paced = "peer-paced-r" + round;
            side.start(List.of(single, batch, paced));
            try {
                endToEnd("e2e single", single, 1);
                endToEnd("e2e batch " + o.batch, batch, o.batch);
                paced(paced);
                // after every run of the round: the peak of the whole round, as a pod would need it
                long peakKb = ServiceProcess.procStatusKb(side.servicePid(), "VmHWM");
                table.add(side.name(), "peak RSS of the service process, MiB", peakKb / 1024.0);
                out.printf(Locale.ROOT, "peer:   peak RSS of the service process: %.0f MiB%n", peakKb / 1024.0);
            } finally {
                side.stop();
            }
        }

        private void endToEnd(String run, String queue, int batch) {
            long warm = warmUp(queue, batch);
            long jitBefore = CompilerThreads.ticks(side.servicePid());
            CommandTime commandsBefore = CommandTime.of(redisPort);
            CpuShare.Snapshot before = cpu();
            NodeLoad.Result r = load.closedLoop(side.target(), queue, o.jobs, batch, o.inFlight);
            awaitFinished(queue, warm + r.ok());
            CpuShare.Snapshot after = cpu();
            long jit = CompilerThreads.ticks(side.servicePid()) - jitBefore;
            // Redis' own count of the commands each job cost (a script's commands under their names too)
            String commands = CommandTime.of(redisPort).since(commandsBefore).describe(r.ok(), 12);
            long last = Collections.max(side.finishedMillis(queue).values());
            double rate = r.ok() * 1000.0 / Math.max(1, last - r.firstSubmitMillis());
            table.add(side.name(), run + ": jobs/s, first submit → last finished", rate);
            String cpu = cpuRows(run, before, after, r);
            String warming = jit > 0 ? String.format(Locale.ROOT, " (of the service's, JIT compiler threads %.0f)",
                    jit * 10_000.0 / Math.max(1, r.ok())) : "";
            out.printf(Locale.ROOT, "peer:   %s: %.0f jobs/s (%d ok, %d refused%s), CPU µs/job %s%s; %s%n", run, rate, r.ok(),
                    r.errors(), refusal(r), cpu, warming, CpuShare.share(before, after, 0));
            out.printf(Locale.ROOT, "peer:     redis commands %s%n", commands);
        }

        /**
         * The paced run: after the closed-loop warm-up, a first window at the paced rate that is
         * reported but not the figure, then the measured window. The first window is where a JIT
         * compiles the paths that only an unhurried load takes (nothing groups, every job rings
         * the doorbell): on streamq, 20 s right after the closed loop cost 720–1,029 µs of JVM CPU
         * a job, the next 20 s 485–663 µs. A service that takes 500 jobs/s for hours is in the
         * second state. (The p99 did not follow in the bench's rounds: docs/benchmark.md.)
         */
        private void paced(String queue) {
            String run = "paced " + o.pacedRate + "/s";
            long done = warmUp(queue, 1);
            if (o.pacedWarmupSeconds > 0) {
                Latency first = pacedWindow(queue, run + ", first window", o.pacedWarmupSeconds, done);
                table.add(side.name(), run + ": first " + o.pacedWarmupSeconds + " s (not the figure) p99 ms", first.p99());
                done += first.jobs();
            }
            Latency measured = pacedWindow(queue, run, o.pacedSeconds, done);
            table.add(side.name(), run + ": submit→finished p50 ms", measured.p50());
            table.add(side.name(), run + ": submit→finished p99 ms", measured.p99());
            table.add(side.name(), run + ": submit→finished max ms", measured.max());
        }

        /** One window at the paced rate on a queue that has finished {@code done} jobs before it. */
        private Latency pacedWindow(String queue, String run, int seconds, long done) {
            CpuShare.Snapshot before = cpu();
            String file = side.name().replaceAll("[^A-Za-z0-9.]+", "-") + "-" + queue + "-after-" + done + ".submits";
            Path submits = dir.resolve("clients").resolve(file);
            NodeLoad.Result r = load.paced(side.target(), queue, o.pacedRate, seconds, submits);
            awaitFinished(queue, done + r.ok());
            CpuShare.Snapshot after = cpu();
            Map<String, Long> finished = side.finishedMillis(queue);
            List<Long> latency = new ArrayList<>();
            NodeLoad.submits(submits).forEach((id, at) -> {
                Long end = finished.get(id);
                if (end != null) {
                    latency.add(end - at);
                }
            });
            Collections.sort(latency);
            if (latency.size() != r.ok()) {
                throw new IllegalStateException(side.name() + " " + run + ": " + latency.size() + " of " + r.ok()
                        + " accepted jobs found finished; the submits file and the side's record disagree");
            }
            Latency l = new Latency(r.ok(), Percentile.of(latency, 50), Percentile.of(latency, 99),
                    latency.isEmpty() ? -1 : latency.get(latency.size() - 1));
            String cpu = cpuRows(run, before, after, r);
            out.printf(Locale.ROOT, "peer:   %s: %d ok, %d refused%s, submit→finished p50 %d p99 %d max %d ms, CPU µs/job %s; %s%n",
                    run, r.ok(), r.errors(), refusal(r), l.p50(), l.p99(), l.max(), cpu, CpuShare.share(before, after, 0));
            return l;
        }

        /** Warm-up jobs on the run's queue, the same kind of submits, all finished before the measured run. */
        private long warmUp(String queue, int batch) {
            NodeLoad.Result w = load.closedLoop(side.target(), queue, o.warmupJobs, batch, o.inFlight);
            if (w.errors() > 0) {
                throw new IllegalStateException(side.name() + " refused " + w.errors() + " warm-up jobs: " + w.firstError());
            }
            awaitFinished(queue, w.ok());
            return w.ok();
        }

        private void awaitFinished(String queue, long jobs) {
            Await.condition(side.name() + " to finish " + jobs + " jobs of " + queue, Duration.ofMinutes(10),
                    Duration.ofMillis(100), () -> side.finished(queue, jobs));
        }

        private CpuShare.Snapshot cpu() {
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put("service", side.servicePid());
            pids.put("redis", redisPid);
            pids.put("lab", ProcessHandle.current().pid()); // named, so that "other" is someone else
            return CpuShare.snapshot(pids);
        }

        /** Adds the run's three CPU rows; returns them as "service 80, redis 40, client 30". */
        private String cpuRows(String run, CpuShare.Snapshot before, CpuShare.Snapshot after, NodeLoad.Result r) {
            double service = CpuShare.microsPerJob(before, after, "service", r.ok());
            double redis = CpuShare.microsPerJob(before, after, "redis", r.ok());
            double client = r.ok() > 0 ? (double) r.cpuMicros() / r.ok() : Double.NaN;
            table.add(side.name(), run + ": CPU µs/job, service process", service);
            table.add(side.name(), run + ": CPU µs/job, redis-server", redis);
            table.add(side.name(), run + ": CPU µs/job, node load client", client);
            return String.format(Locale.ROOT, "service %.0f, redis %.0f, client %.0f", service, redis, client);
        }

        private String refusal(NodeLoad.Result r) {
            return r.errors() > 0 ? ", first: " + r.firstError() : "";
        }
    }

    /** A paced window's accepted jobs and their submit→finished percentiles, ms. */
    private record Latency(long jobs, long p50, long p99, long max) {
    }
}
