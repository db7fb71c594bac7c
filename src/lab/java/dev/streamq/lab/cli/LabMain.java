package dev.streamq.lab.cli;

import dev.streamq.lab.bench.Bench;
import dev.streamq.lab.drill.DrillCli;
import dev.streamq.lab.drill.Scenario;
import java.io.PrintStream;
import java.util.List;

/**
 * Command line of the lab, run by {@code deploy/local/lab}:
 *
 * <pre>
 *   up [--topology single|mvp|ha|cluster] [--keep] [--jar PATH]   start, run demo jobs, report, stop (or stay up)
 *   down                                                   stop a lab left running with --keep
 *   drill NAME [options] | drills [options]                fault drills ({@link DrillCli})
 *   bench [options]                                        benchmark ({@link Bench})
 *   bench --peer bullmq|jar:PATH [options]                 streamq and BullMQ (or another build) side by side
 *                                                          ({@link dev.streamq.lab.bench.PeerBench})
 *   bench --cluster [options]                              a master+replica and a 3+3 Redis Cluster side by side ({@link dev.streamq.lab.bench.ClusterBench})
 * </pre>
 *
 * Exit codes: 0 ok, 1 a demo job or a drill did not end as expected, 64 usage error.
 */
public final class LabMain {

    static final int EXIT_OK = 0;
    static final int EXIT_DEMO_FAILED = 1;
    static final int EXIT_USAGE = 64;

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
                return new Up(Up.Options.parse(rest), out).run();
            case "down":
                return Up.down(out);
            case "drill":
                return DrillCli.drill(rest, out);
            case "drills":
                return DrillCli.drills(rest, out);
            case "bench":
                return Bench.run(rest, out);
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
        stream.println("usage: lab up [--topology single|mvp|ha|cluster] [--keep] [--jar PATH]");
        stream.println("       lab down");
        stream.println("       lab drill NAME [--duration S] [--rate R] [--warm-up S] [--seed N] [--fail-share F] [--out DIR]   one fault drill");
        stream.println("       lab drills [--duration S] [--rate R] [--warm-up S] [--seed N] [--fail-share F] [--out DIR] every drill + summary");
        stream.println("       lab bench [--fill N] [--e2e-rate R] [--e2e-seconds S] [--submit-seconds S] [--warmup-seconds S]");
        stream.println("                 [--connections N] [--batch-connections N] [--ramp R1,R2,...]         throughput/latency bench");
        stream.println("       lab bench --peer bullmq|jar:PATH [--rounds N] [--jobs N] [--warmup-jobs N] [--in-flight N] [--batch N]");
        stream.println("                 [--paced-rate R] [--paced-warmup-seconds S] [--paced-seconds S] [--concurrency N]");
        stream.println("                                 streamq vs BullMQ, or vs another build's quarkus-run.jar, interleaved");
        stream.println("       lab bench --cluster [--rounds N] [--rate R] [--seconds S] [--warmup-seconds S] [--idle-seconds S]");
        stream.println("                 [--queues-per-shard N] [--threads-per-queue N] [--utilisation F] [--target R]");
        stream.println("                                                     master+replica vs 3+3 Redis Cluster, interleaved");
        stream.println("                 drill options: [--kills N] (master-kill soak) [--hold-ms MS] (lagging-replica)");
        stream.println("                 [--all-replicas true|false] (services' STREAMQ_DURABILITY_ALL_REPLICAS)");
        stream.println("                 [--shard N] (cluster drills: the shard, 0..2 by first slot, that is faulted)");
        stream.println("                 [--observe] (a real Prometheus with the project's config and rules; judges the alerts)");
        stream.println("  drills: " + String.join(" ", Scenario.names()));
    }

}
