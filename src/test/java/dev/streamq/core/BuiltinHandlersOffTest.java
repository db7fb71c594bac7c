package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With the shipped default (streamq.worker.builtin-handlers=false) the demo handlers do not
 * serve: a producer cannot make a worker sleep or burn CPU with them. Jobs of those types are
 * dead-lettered as having no handler, like any unknown type.
 */
@QuarkusTest
@TestProfile(BuiltinHandlersOffTest.Shipped.class)
@WithTestResource(RedisServerResource.class)
class BuiltinHandlersOffTest {

    public static class Shipped implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamq.worker.builtin-handlers", "false");
        }
    }

    @Test
    void builtinTypesHaveNoHandler() {
        for (String type : new String[] {"noop", "sleep", "cpu", "fail"}) {
            String id = Jobs.submit("builtins", "{\"type\":\"" + type + "\",\"maxAttempts\":1}");
            JsonPath job = Jobs.awaitState(id, "dead", Duration.ofSeconds(15));
            assertEquals("no_handler", job.getString("deadReason"), type);
        }
    }
}
