package dev.streamq.core;

import static io.restassured.RestAssured.given;

import dev.streamq.lab.Await;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** The REST calls the core tests make, so each test reads as the behaviour it checks. */
final class Jobs {

    private Jobs() {}

    static String submit(String queue, String body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/queues/" + queue + "/jobs")
                .then().statusCode(202).extract().path("id");
    }

    static JsonPath get(String id) {
        return given().when().get("/jobs/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Polls the job until the predicate holds; fails after the timeout. */
    static JsonPath await(String id, Duration timeout, Predicate<JsonPath> done) {
        AtomicReference<JsonPath> last = new AtomicReference<>();
        try {
            return Await.until("job " + id, timeout, Duration.ofMillis(20), () -> {
                last.set(get(id));
                return done.test(last.get()) ? last.get() : null;
            });
        } catch (IllegalStateException timedOut) {
            throw new AssertionError("job " + id + " did not reach the expected state in " + timeout + "; last: "
                    + (last.get() == null ? "none" : last.get().prettify()));
        }
    }

    static JsonPath awaitState(String id, String state, Duration timeout) {
        return await(id, timeout, j -> state.equals(j.getString("state")));
    }

    static void sleep(long millis) {
        Await.sleep(Duration.ofMillis(millis));
    }
}
