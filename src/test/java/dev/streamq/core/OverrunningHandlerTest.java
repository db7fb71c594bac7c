package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A blocking handler that overruns the job timeout (5 s in the test profile) is interrupted, not left spinning. */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class OverrunningHandlerTest {

    @Test
    void aTimedOutBlockingHandlerIsInterrupted() {
        String id = Jobs.submit("overrun", "{\"type\":\"spin-until-interrupted\",\"maxAttempts\":1}");
        Jobs.awaitState(id, "dead", Duration.ofSeconds(20));
        Await.condition("the handler's thread to be interrupted", Duration.ofSeconds(5), Duration.ofMillis(50),
                () -> SpinUntilInterrupted.INTERRUPTED.contains(id));
        assertTrue(Jobs.get(id).getString("lastError").contains("did not finish"));
    }
}
