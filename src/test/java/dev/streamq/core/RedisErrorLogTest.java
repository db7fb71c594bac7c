package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.redis.RedisErrorLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A demoted master fails every call for seconds: the first failure of each kind and operation
 * has its redis_error line with the real kind, the rest of a run one line per interval.
 */
class RedisErrorLogTest {

    private static final RuntimeException READONLY = new RuntimeException("READONLY You can't write against a read only replica.");
    private static final RuntimeException UNBLOCKED = new RuntimeException(
            "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)");

    @Test
    void theFirstFailureOfEachKindIsLoggedThenOneLinePerKindAndInterval() throws InterruptedException {
        RedisErrorLog log = new RedisErrorLog(Logger.getLogger("dev.streamq.test.RedisErrorLogTest"), Duration.ofMillis(300));
        try (CapturedEvents events = CapturedEvents.start()) {
            log.failed("read", UNBLOCKED);
            log.failed("read", READONLY);
            log.failed("read", READONLY);
            log.failed("read", new java.net.ConnectException("Connection refused"));
            List<Map<String, String>> lines = events.lines("redis_error");
            assertEquals(List.of("readonly", "connection"), lines.stream().map(f -> f.get("kind")).toList(),
                    "UNBLOCKED by a demotion is readonly; later readonly failures wait, a new kind is logged");
            assertEquals("read", lines.get(0).get("operation"));
            assertTrue(lines.get(0).get("error").startsWith("UNBLOCKED"));

            Thread.sleep(350);
            log.failed("read", READONLY);
            assertEquals(3, events.lines("redis_error").size(), "the interval passed: readonly again");
            assertEquals("readonly", events.lines("redis_error").get(2).get("kind"));
        }
    }

    @Test
    void anotherOperationsFailuresAreNotHiddenByTheFirst() {
        RedisErrorLog log = new RedisErrorLog(Logger.getLogger("dev.streamq.test.RedisErrorLogTest"), Duration.ofHours(1));
        try (CapturedEvents events = CapturedEvents.start()) {
            log.failed("start", READONLY);
            log.failed("start", READONLY);
            log.failed("enqueue", READONLY);
            assertEquals(List.of("start", "enqueue"),
                    events.lines("redis_error").stream().map(f -> f.get("operation")).toList());
        }
    }

    @Test
    void aRunThatEndedLogsItsNextFailureAtOnce() {
        RedisErrorLog log = new RedisErrorLog(Logger.getLogger("dev.streamq.test.RedisErrorLogTest"), Duration.ofHours(1));
        try (CapturedEvents events = CapturedEvents.start()) {
            log.failed("read", READONLY);
            log.failed("read", READONLY);
            log.runEnded();
            log.failed("read", READONLY);
            assertEquals(2, events.lines("redis_error").size());
        }
    }
}
