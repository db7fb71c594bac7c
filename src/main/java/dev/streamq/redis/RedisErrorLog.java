package dev.streamq.redis;

import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Map<Key, Window> windows = new ConcurrentHashMap<>();

    private record Key(RedisErrorKind kind, String operation) {}

    /** One kind of failure of one operation: when it was last logged and how many failures went unlogged since. */
    private static final class Window {
        private static final long NEVER = Long.MIN_VALUE;
        private long loggedAt = NEVER;
        private int unlogged;

        /** The failures to report with this line, or -1 when this one is not due. */
        synchronized int due(long now, long everyMillis) {
            if (loggedAt != NEVER && now - loggedAt < everyMillis) {
                unlogged++;
                return -1;
            }
            loggedAt = now;
            int more = unlogged;
            unlogged = 0;
            return more;
        }

        synchronized void reopen() {
            loggedAt = NEVER;
        }
    }

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
        int more = windows.computeIfAbsent(new Key(kind, operation), k -> new Window())
                .due(System.currentTimeMillis(), everyMillis);
        if (more < 0) {
            return;
        }
        EventLog.of(Event.REDIS_ERROR).kind(kind.label()).operation(operation).error(String.valueOf(failure.getMessage()))
                .log(log, "redis " + operation + " failed (" + kind.label() + ")"
                        + (more > 0 ? "; " + more + " more since the last line" : ""));
    }

    /** The caller's calls work again: the next failure of any kind is logged at once. */
    public void runEnded() {
        windows.values().forEach(Window::reopen);
    }
}
