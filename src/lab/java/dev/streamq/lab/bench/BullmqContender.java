package dev.streamq.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.lab.NodeProcess;
import dev.streamq.lab.RespClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BullMQ (the version src/lab/node/package-lock.json pins) as its docs show it: one worker
 * process (src/lab/node/bullmq-worker.js), a Worker of concurrency {@code concurrency} per queue
 * with a noop processor, default job options. When a job finished is BullMQ's own record: the
 * score of the job in {@code bull:<queue>:completed}, the job's finishedOn.
 */
final class BullmqContender implements Contender {

    private final int redisPort;
    private final Path dir;
    private final int concurrency;
    private final String version;
    private NodeProcess worker;
    private int rounds;

    BullmqContender(int redisPort, Path dir, int concurrency) {
        this.redisPort = redisPort;
        this.dir = dir;
        this.concurrency = concurrency;
        this.version = installedVersion();
    }

    /** The version npm ci installed: the one the lock pins, not the one a reader assumes. */
    private static String installedVersion() {
        Path manifest = NodeProcess.modules().resolve("bullmq").resolve("package.json");
        try {
            return new ObjectMapper().readTree(manifest.toFile()).path("version").asText("?");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifest + ": install BullMQ with npm ci (deploy/local/lab does)", e);
        }
    }

    @Override
    public String name() {
        return "BullMQ " + version;
    }

    @Override
    public String service() {
        return "BullMQ worker (node, one process)";
    }

    @Override
    public void start(List<String> queues) {
        String name = "bullmq-worker-" + (++rounds);
        worker = NodeProcess.start(name, "bullmq-worker.js", List.of("--redis-port", String.valueOf(redisPort),
                "--queues", String.join(",", queues), "--concurrency", String.valueOf(concurrency)), dir.resolve(name + ".log"));
        worker.awaitLine("READY", Duration.ofSeconds(30));
    }

    @Override
    public String submitsWith() {
        return "BullMQ Queue";
    }

    @Override
    public String finishedRecord() {
        return "finishedOn";
    }

    @Override
    public List<String> target() {
        return List.of("--target", "bullmq", "--redis-port", String.valueOf(redisPort));
    }

    @Override
    public boolean finished(String queue, long jobs) {
        try (RespClient redis = RespClient.connect(redisPort)) {
            return redis.callLong("ZCARD", completedKey(queue)) >= jobs;
        }
    }

    @Override
    public Map<String, Long> finishedMillis(String queue) {
        try (RespClient redis = RespClient.connect(redisPort)) {
            List<Object> flat = redis.callList("ZRANGE", completedKey(queue), "0", "-1", "WITHSCORES");
            Map<String, Long> finished = new HashMap<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                finished.put(String.valueOf(flat.get(i)), (long) Double.parseDouble(String.valueOf(flat.get(i + 1))));
            }
            return finished;
        }
    }

    private static String completedKey(String queue) {
        return "bull:" + queue + ":completed";
    }

    @Override
    public long servicePid() {
        return worker.pid();
    }

    @Override
    public void stop() {
        worker.stop();
    }
}
