package dev.streamq.queue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Why a job was dead-lettered: the job hash's {@code dead_reason}, the dead-letter entry's
 * {@code reason} and the {@code reason} label of streamq_jobs_dead_lettered_total. A closed set,
 * so every reason's series can exist at 0 before its first dead letter (an alert on
 * {@code increase()} sees the first one). fail.lua and reclaim.lua write two of them themselves.
 */
public enum DeadReason {
    /** The handler failed on the job's last attempt (fail.lua's word for any retryable failure). */
    MAX_ATTEMPTS,
    /** No handler for the job's type in the worker that read it; not retried. */
    NO_HANDLER,
    /** The handler's result could not be written as JSON; not retried. */
    BAD_RESULT,
    /** Delivered too many times without finishing: its workers died or hung on it (reclaim.lua). */
    POISON;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(DeadReason::label).toList();
    }
}
