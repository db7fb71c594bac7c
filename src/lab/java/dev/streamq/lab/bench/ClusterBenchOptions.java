package dev.streamq.lab.bench;

import static dev.streamq.lab.OptionPairs.fraction;
import static dev.streamq.lab.OptionPairs.positive;
import static dev.streamq.lab.OptionPairs.positiveNumber;

import dev.streamq.lab.OptionPairs;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code lab bench --cluster [--rounds N] [--seconds S] ...}: the knobs of the single-master vs cluster bench. */
final class ClusterBenchOptions {
    static final String FLAG = "--cluster";

    int rounds = 2;
    double rate = 500;
    int seconds = 20;
    int warmupSeconds = 15;
    int idleSeconds = 5;
    int queuesPerShard = 4;
    /** Client threads per queue: 12 queues at 500 jobs/s are ~42 jobs/s each, a few ms apiece. */
    int threadsPerQueue = 8;
    double utilisation = 0.7;
    double target = 100_000;

    static ClusterBenchOptions parse(List<String> args) {
        ClusterBenchOptions o = new ClusterBenchOptions();
        boolean[] flagged = {false};
        OptionPairs.forEach(args, Set.of(FLAG), (a, v) -> {
            switch (a) {
                case FLAG -> flagged[0] = true;
                case "--rounds" -> o.rounds = positive(a, v);
                case "--rate" -> o.rate = positiveNumber(a, v);
                case "--seconds" -> o.seconds = positive(a, v);
                case "--warmup-seconds" -> o.warmupSeconds = positive(a, v);
                case "--idle-seconds" -> o.idleSeconds = positive(a, v);
                case "--queues-per-shard" -> o.queuesPerShard = positive(a, v);
                case "--threads-per-queue" -> o.threadsPerQueue = positive(a, v);
                case "--utilisation" -> o.utilisation = fraction(a, v);
                case "--target" -> o.target = positiveNumber(a, v);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' for bench " + FLAG);
            }
        });
        if (!flagged[0]) {
            throw new IllegalArgumentException("bench " + FLAG + " options without " + FLAG);
        }
        return o;
    }

    /** The options as given on the command line, defaults included: the command to write down. */
    String command() {
        return String.format(Locale.ROOT, "deploy/local/lab bench %s --rounds %d --rate %s --seconds %d --warmup-seconds %d"
                + " --idle-seconds %d --queues-per-shard %d --threads-per-queue %d --utilisation %s --target %s", FLAG, rounds,
                plain(rate), seconds, warmupSeconds, idleSeconds, queuesPerShard, threadsPerQueue, plain(utilisation),
                plain(target));
    }

    /** 500.0 -> "500", 0.7 -> "0.7": what a user types. */
    private static String plain(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
