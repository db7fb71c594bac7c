package dev.streamq.lab.bench;

import dev.streamq.lab.RespClient;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * streamq as a new user runs it: one {@code java -jar target/quarkus-app/quarkus-run.jar} with
 * role=all against the redis-server, worker concurrency {@code concurrency} (the BullMQ Worker's
 * 50), with the JVM options and environment the JVM-mode deployment ships ({@link JvmOptions}),
 * so the peak RSS it reports is the deployment's. When a job finished is its job_succeeded log line ({@link Completions}).
 * As the peer ({@code --peer jar:PATH}) it is another build of streamq, with this checkout's
 * JVM options: an A/B of two builds in one sitting.
 */
final class StreamqContender implements Contender {

    private final String name;
    private final Path jar;
    private final Topology topology;
    private final Path dir;
    private final int concurrency;
    private ServiceProcess process;
    private Completions completions;
    private int rounds;

    StreamqContender(String name, Path jar, Topology topology, Path dir, int concurrency) {
        this.name = name;
        this.jar = jar;
        this.topology = topology;
        this.dir = dir;
        this.concurrency = concurrency;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String service() {
        return "streamq JVM " + jar + " (role=all, the shipped JVM options: " + JvmOptions.SHIPPED + ")";
    }

    @Override
    public void start(List<String> queues) {
        String name = "streamq-" + (++rounds);
        ServiceProcess.Builder b = ServiceProcess.builder(jar).name(name).role("all").topology(topology).workDir(dir)
                .env("STREAMQ_WORKER_QUEUES", String.join(",", queues))
                .env("STREAMQ_WORKER_CONCURRENCY", String.valueOf(concurrency))
                .logFile(dir.resolve(name + ".log"));
        process = JvmOptions.apply(b, JvmOptions.shipped()).start().awaitReady(Duration.ofSeconds(90));
        completions = new Completions(process);
    }

    @Override
    public String submitsWith() {
        return "http keep-alive agent, maxSockets 50";
    }

    @Override
    public String finishedRecord() {
        return "job_succeeded log time";
    }

    @Override
    public List<String> target() {
        return List.of("--target", "streamq", "--url", process.baseUrl());
    }

    @Override
    public boolean finished(String queue, long jobs) {
        // The complete script deletes a job's stream entry, so an empty ready stream (after the
        // client's last answer) means every job finished: the cheap check is polled, and the log,
        // whose parsing would take the lab's CPU from the shared cores, is read once it holds.
        try (RespClient redis = RespClient.connect(topology.currentMaster().port())) {
            if (redis.callLong("XLEN", "streamq:{" + queue + "}:ready") > 0) {
                return false;
            }
        }
        return completions.of(queue).size() >= jobs;
    }

    @Override
    public Map<String, Long> finishedMillis(String queue) {
        return completions.of(queue);
    }

    @Override
    public long servicePid() {
        return process.pid();
    }

    @Override
    public void stop() {
        process.stop();
    }
}
