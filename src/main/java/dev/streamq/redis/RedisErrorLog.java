package dev.streamq.redis;

import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The {@code redis_error} lines of one caller: a failover makes every call fail for seconds,
 * thousands a second, so each kind of failure of each operation is logged the first time it
 * appears, then at most once per {@code every} while it lasts, with the number of failures not
 * logged. One that stayed quiet for longer than {@code every} logs again at once: the first
 * failure of every run has its line. Per operation, so that a worker's failing starts do not
 * hide the API's failing submissions in a process that runs both. {@link #runEnded()} lets a caller that knows its runs (the worker's fetch
 * loop) have the next failure logged whatever the time.
 */
public final class RedisErrorLog {

    private final Logger log;
    private final long everyMillis;
    private final Map<Key, Long> loggedAt = new ConcurrentHashMap<>();
    private final Map<Key, AtomicInteger> unlogged = new ConcurrentHashMap<>();

    private record Key(RedisErrorKind kind, String operation) {}

    /**
     * A demoted master answers every write READONLY until the client follows the failover:
     * one line per kind every 10 s says so without a line per request.
     */
    public static final Duration EVERY = Duration.ofSeconds(10);

    public RedisErrorLog(Logger log) {
        this(log, EVERY);
    }

    public RedisErrorLog(Logger log, Duration every) {
        this.log = log;
        this.everyMillis = every.toMillis();
    }

    /**
     * Counts one failure of {@code operation} and logs it when due.
     *
     * @param operation a {@link RedisOperation} label, or the caller's own word for its call ("read")
     */
    public void failed(String operation, Throwable failure) {
        RedisErrorKind kind = RedisErrorKind.of(failure);
        Key key = new Key(kind, operation);
        long now = System.currentTimeMillis();
        Long last = loggedAt.get(key);
        boolean due = last == null || now - last >= everyMillis;
        AtomicInteger skipped = unlogged.computeIfAbsent(key, k -> new AtomicInteger());
        if (!due || !(last == null ? loggedAt.putIfAbsent(key, now) == null : loggedAt.replace(key, last, now))) {
            skipped.incrementAndGet(); // not due, or another thread logged this one just now
            return;
        }
        int more = skipped.getAndSet(0);
        EventLog.of(Event.REDIS_ERROR).kind(kind.label()).operation(operation).error(String.valueOf(failure.getMessage()))
                .log(log, "redis " + operation + " failed (" + kind.label() + ")"
                        + (more > 0 ? "; " + more + " more since the last line" : ""));
    }

    /** The caller's calls work again: the next failure of any kind is logged at once. */
    public void runEnded() {
        loggedAt.clear();
    }
}
