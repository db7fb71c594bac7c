package dev.streamq.redis;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a call through {@link RedisCalls} was for: the {@code operation} label of
 * streamq_redis_retries_total. A closed set, so each one's series exists at 0 before its first
 * retry (a rate() over a counter born at 1 misses it).
 */
public enum RedisOperation {
    /** A submission: the enqueue script and its WAIT. */
    ENQUEUE,
    /** A read of one job by id. */
    FIND,
    /** A page of a queue's dead letters. */
    DEAD_LETTERS,
    /** Dead letters back to ready. */
    REDRIVE,
    /** Queue depths, the registry. */
    STATS,
    /** A worker counting the attempts of what it read. */
    START,
    /** A worker recording a success. */
    COMPLETE,
    /** A worker recording a failure. */
    FAIL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static List<String> labels() {
        return Arrays.stream(values()).map(RedisOperation::label).toList();
    }
}
