package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The master this process talks to is demoted under it (its replica promoted, as Sentinel
 * does): the worker's first failed read is logged as what it is, readonly (a blocked read is
 * cut with UNBLOCKED), and a submission that meets the demoted master leaves a readonly line.
 */
@QuarkusTest
@WithTestResource(MasterReplicaResource.class)
class DemotedMasterTest {

    @Test
    void aDemotedMasterIsLoggedAsReadonlyByTheWorkerAndTheApi() {
        Jobs.awaitState(Jobs.submit("demoted", "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(15));
        try (CapturedEvents events = CapturedEvents.start()) {
            try (RespClient replica = MasterReplicaResource.replica.client()) {
                replica.call("REPLICAOF", "NO", "ONE");
            }
            try (RespClient master = MasterReplicaResource.master.client()) {
                master.call("REPLICAOF", "127.0.0.1", Integer.toString(MasterReplicaResource.replica.port()));
            }
            Await.condition("the worker's first failed read", Duration.ofSeconds(10), Duration.ofMillis(50),
                    () -> !lines(events, "read").isEmpty());
            assertEquals("readonly", lines(events, "read").get(0).get("kind"), "first failure: " + lines(events, "read"));

            given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when().post("/queues/demoted/jobs")
                    .then().statusCode(503);
            assertEquals("readonly", lines(events, "enqueue").get(0).get("kind"), "the API's line: " + lines(events, "enqueue"));
        }
    }

    private static List<Map<String, String>> lines(CapturedEvents events, String operation) {
        return events.lines("redis_error").stream().filter(f -> operation.equals(f.get("operation"))).toList();
    }
}
