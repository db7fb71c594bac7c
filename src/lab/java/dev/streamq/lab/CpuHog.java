package dev.streamq.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * Busy threads in the lab's own JVM that compete for the box's cores with Redis, Sentinel and
 * the services, as a noisy neighbour would: replication, Sentinel's pings and the app's
 * timers all run late. Stops when closed.
 */
public final class CpuHog implements AutoCloseable {

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private CpuHog() {
    }

    public static CpuHog start(int threadCount) {
        CpuHog hog = new CpuHog();
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(hog::spin, "cpu-hog-" + i);
            t.setDaemon(true);
            t.start();
            hog.threads.add(t);
        }
        return hog;
    }

    private void spin() {
        long x = 0;
        while (running) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        if (x == 42) {
            Thread.onSpinWait(); // keeps the loop's result alive so the JIT cannot drop it
        }
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
