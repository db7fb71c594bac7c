package dev.streamq.lab;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Samples, every 50 ms, which node the sentinels name master and whether Redis lets it write
 * (it has min-replicas-to-write good replicas). After a failover the service cannot accept a
 * durable job before that moment: a new master whose replicas are dead or still being
 * reconfigured answers NOREPLICAS, and the API rightly answers 503. Measuring "how fast does the
 * service follow" from the promotion alone would blame the service for Sentinel's repair time.
 */
public final class WritableMaster implements AutoCloseable {

    private static final Duration INTERVAL = Duration.ofMillis(50);

    private final Topology topology;
    private final Thread sampler;
    /** The master the latest sample found writable (-1: none) and since when it has been. */
    private final AtomicReference<Run> current = new AtomicReference<>(new Run(-1, -1));
    private volatile boolean running = true;

    private WritableMaster(Topology topology) {
        this.topology = topology;
        this.sampler = new Thread(this::sample, "writable-master");
        this.sampler.setDaemon(true);
    }

    public static WritableMaster watch(Topology topology) {
        WritableMaster watch = new WritableMaster(topology);
        watch.sampler.start();
        return watch;
    }

    private void sample() {
        while (running) {
            int port = -1;
            try {
                RedisNode master = topology.currentMaster();
                if (master.isAlive() && master.acceptsWrites(topology.minReplicas())) {
                    port = master.port();
                }
            } catch (RuntimeException e) {
                // a node or sentinel between states: not writable in this sample
            }
            if (current.get().port() != port) {
                current.set(new Run(port, System.currentTimeMillis()));
            }
            Await.sleep(INTERVAL);
        }
    }

    /**
     * Waits until the node on {@code port} is the writable master and returns since when it has
     * been so without a break (epoch ms).
     */
    public long awaitWritable(int port, Duration timeout) {
        return Await.until("port " + port + " to be a master that accepts writes", timeout, INTERVAL,
                () -> {
                    Run run = current.get();
                    return run.port() == port ? run.since() : null;
                });
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.join(INTERVAL.toMillis() * 20);
    }

    private record Run(int port, long since) {
    }
}
