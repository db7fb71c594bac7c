package dev.streamq.core;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
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
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            last = get(id);
            if (done.test(last)) {
                return last;
            }
            sleep(20);
        }
        throw new AssertionError("job " + id + " did not reach the expected state in " + timeout + "; last: "
                + (last == null ? "none" : last.prettify()));
    }

    static JsonPath awaitState(String id, String state, Duration timeout) {
        return await(id, timeout, j -> state.equals(j.getString("state")));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
