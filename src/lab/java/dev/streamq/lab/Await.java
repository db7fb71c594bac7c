package dev.streamq.lab;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded polling: every wait in the lab goes through here, so none can spin forever.
 */
public final class Await {

    private Await() {
    }

    /**
     * Polls {@code probe} every {@code interval} until it returns a non-null value or
     * {@code timeout} passes. Exceptions from the probe count as "not yet" (a node that is still
     * starting refuses connections), and the last one is attached to the timeout error.
     */
    public static <T> T until(String what, Duration timeout, Duration interval, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() >= deadline) {
                IllegalStateException timeoutError =
                        new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting for " + what);
                if (last != null) {
                    timeoutError.addSuppressed(last);
                }
                throw timeoutError;
            }
            sleep(interval);
        }
    }

    /** Boolean form of {@link #until}. */
    public static void condition(String what, Duration timeout, Duration interval, Supplier<Boolean> probe) {
        until(what, timeout, interval, () -> Boolean.TRUE.equals(probe.get()) ? Boolean.TRUE : null);
    }

    /**
     * As {@link #condition}, for a wait whose end is a finding rather than an error (a backlog
     * that does not drain, a job that stays stuck is reported, not thrown): false on timeout.
     */
    public static boolean holds(Duration timeout, Duration interval, BooleanSupplier probe) {
        try {
            condition("", timeout, interval, probe::getAsBoolean);
            return true;
        } catch (IllegalStateException timedOut) {
            return false;
        }
    }

    public static void sleep(Duration duration) {
        try {
            Thread.sleep(Math.max(0, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Sleeps until the wall clock reads {@code epochMillis} (at once if that is past). */
    public static void sleepUntil(long epochMillis) {
        sleep(Duration.ofMillis(epochMillis - System.currentTimeMillis()));
    }
}
