package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A queue no worker has seen yet is consumed on its first job's ring, not at the next
 * discovery tick: with discovery an hour apart, a new queue's first jobs still run. (Before,
 * a new queue waited up to streamq.worker.discovery-interval, 5 s shipped.)
 */
@QuarkusTest
@TestProfile(NewQueueTest.RareDiscovery.class)
@WithTestResource(RedisServerResource.class)
class NewQueueTest {

    public static class RareDiscovery implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamq.worker.discovery-interval", "1h", "streamq.worker.queues", "fresh-*");
        }
    }

    @Test
    void aNewQueuesFirstJobStartsWithoutADiscoveryTick() {
        Jobs.sleep(500); // the discovery at start-up is over: the queues below are new to the worker
        for (String queue : new String[] {"fresh-a", "fresh-b"}) {
            JsonPath job = Jobs.awaitState(Jobs.submit(queue, "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(10));
            long toStart = Duration.between(Instant.parse(job.getString("createdAt")),
                    Instant.parse(job.getString("startedAt"))).toMillis();
            System.out.println("new queue " + queue + ": submit to start " + toStart + " ms");
            assertTrue(toStart < 5_000, queue + " started " + toStart + " ms after submission");
        }
    }

    @Test
    void aRingForAQueueOutsideTheSelectionIsNotConsumed() {
        String id = Jobs.submit("other-queue", "{\"type\":\"noop\"}");
        Jobs.sleep(1500);
        assertTrue("queued".equals(Jobs.get(id).getString("state")), "other-queue is outside streamq.worker.queues");
    }
}
