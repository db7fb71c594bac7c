package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.worker.Workers;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * More busy queues than job slots: a process never runs more jobs at once than
 * streamq.worker.concurrency (4 here), though one read names many queues and COUNT is per
 * stream (at least 1): with 12 busy queues it used to take one job from each, 12 at once.
 */
@QuarkusTest
@WithTestResource(value = RedisServerResource.class, initArgs = @ResourceArg(name = "streamq.worker.concurrency", value = "4"))
class ConcurrencyBoundTest {

    @Inject
    Workers workers;

    @Test
    void busyQueuesNeverTakeMoreJobsThanTheProcessHasSlots() throws InterruptedException {
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                most.accumulateAndGet(workers.inFlightCount(), Math::max);
                Jobs.sleep(2);
            }
        });
        sampler.start();
        // submitted as a batch per queue, so every queue has a backlog before the first read
        List<String> ids = new ArrayList<>();
        for (int q = 0; q < 12; q++) {
            ids.addAll(given().contentType(ContentType.JSON).body("{\"jobs\":[" + String.join(",",
                            Collections.nCopies(3, "{\"type\":\"sleep\",\"payload\":{\"ms\":150}}")) + "]}")
                    .when().post("/queues/bound-" + q + "/jobs/batch").then().statusCode(202).extract().<List<String>>path("jobs.id"));
        }
        for (String id : ids) {
            Jobs.awaitState(id, "succeeded", Duration.ofSeconds(30));
        }
        sampling.set(false);
        sampler.join();
        assertTrue(most.get() > 1, "the jobs never ran side by side (" + most + "): the check saw nothing");
        assertTrue(most.get() <= 4, most + " jobs ran at once with 4 slots");
    }
}
