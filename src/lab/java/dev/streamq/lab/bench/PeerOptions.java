package dev.streamq.lab.bench;

import static dev.streamq.lab.OptionPairs.positive;

import dev.streamq.lab.OptionPairs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code lab bench --peer bullmq|jar:PATH [--rounds N] [--jobs N] ...}: the knobs of the side-by-side bench. */
final class PeerOptions {
    private static final String JAR = "jar:";
    String peer;
    /** The other build's jar of {@code --peer jar:PATH}; null when the peer is BullMQ. */
    private Path peerJar;
    int rounds = 3;
    int jobs = 50_000;
    int warmupJobs = 50_000;
    int inFlight = 50;
    int batch = 100;
    int pacedRate = 500;
    int pacedSeconds = 20;
    /** A first window at the paced rate, before the measured one, reported apart (0: none). */
    int pacedWarmupSeconds = 20;
    int concurrency = 50;

    static PeerOptions parse(List<String> args) {
        PeerOptions o = new PeerOptions();
        OptionPairs.forEach(args, Set.of(), (a, v) -> {
            switch (a) {
                case "--peer" -> o.peer = v;
                case "--rounds" -> o.rounds = positive(a, v);
                case "--jobs" -> o.jobs = positive(a, v);
                case "--warmup-jobs" -> o.warmupJobs = positive(a, v);
                case "--in-flight" -> o.inFlight = positive(a, v);
                case "--batch" -> o.batch = positive(a, v);
                case "--paced-rate" -> o.pacedRate = positive(a, v);
                case "--paced-seconds" -> o.pacedSeconds = positive(a, v);
                case "--paced-warmup-seconds" -> o.pacedWarmupSeconds = OptionPairs.nonNegative(a, v);
                case "--concurrency" -> o.concurrency = positive(a, v);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' for bench --peer");
            }
        });
        if (o.peer != null && o.peer.startsWith(JAR) && o.peer.length() > JAR.length()) {
            o.peerJar = Path.of(o.peer.substring(JAR.length()));
        } else if (!"bullmq".equals(o.peer)) {
            throw new IllegalArgumentException("--peer: bullmq, or jar:PATH (another build's quarkus-run.jar), not '" + o.peer + "'");
        }
        if (o.peerJar != null && !Files.isRegularFile(o.peerJar)) {
            throw new IllegalArgumentException("--peer " + o.peer + ": no such file (a build's target/quarkus-app/quarkus-run.jar)");
        }
        return o;
    }

    Path peerJar() {
        return peerJar;
    }

    /** The options as given on the command line, defaults included: the command to write down. */
    String command() {
        return String.format("deploy/local/lab bench --peer %s --rounds %d --jobs %d --warmup-jobs %d --in-flight %d"
                + " --batch %d --paced-rate %d --paced-warmup-seconds %d --paced-seconds %d --concurrency %d", peer, rounds, jobs,
                warmupJobs, inFlight, batch, pacedRate, pacedWarmupSeconds, pacedSeconds, concurrency);
    }
}
