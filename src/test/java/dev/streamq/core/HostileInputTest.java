package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each class of hostile or careless input: the answer is a 4xx problem body naming the field
 * (or a 503 problem for a Redis that refuses writes), never an empty body or a 500, and
 * nothing was written: not a key (DBSIZE) and not a queue in the registry.
 */
@QuarkusTest
@TestProfile(HostileInputTest.SmallBodyLimit.class)
@WithTestResource(RedisServerResource.class)
class HostileInputTest {

    /** A 64 KiB body limit, so the test can go over it without sending 32 MiB. */
    public static class SmallBodyLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.limits.max-body-size", "64K", "streamq.api.max-payload-bytes", "16384");
        }
    }

    private static RespClient redis() {
        return RedisServerResource.current.client();
    }

    /** Sends the request, checks it was refused as a problem naming {@code field} (null: any), and that Redis did not change. */
    private static ValidatableResponse refusedWithoutWrites(RequestSpecification request, String method, String path,
            int status, String field) {
        long keys;
        long queues;
        try (RespClient redis = redis()) {
            keys = redis.callLong("DBSIZE");
            queues = redis.callLong("SCARD", "streamq:queues");
        }
        ValidatableResponse answer = request.when().request(method, path).then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status), "title", notNullValue(), "detail", notNullValue());
        if (field != null) {
            answer.body("field", equalTo(field));
        }
        try (RespClient redis = redis()) {
            assertEquals(keys, redis.callLong("DBSIZE"), "keys in Redis after " + method + " " + path);
            assertEquals(queues, redis.callLong("SCARD", "streamq:queues"), "registered queues after " + method + " " + path);
        }
        return answer;
    }

    private static void badSubmission(String body, String field) {
        refusedWithoutWrites(given().contentType(ContentType.JSON).body(body), "POST", "/queues/hostile/jobs", 400, field);
    }

    private static void badBatch(String body, String field) {
        refusedWithoutWrites(given().contentType(ContentType.JSON).body(body), "POST", "/queues/hostile/jobs/batch", 400, field);
    }

    @Test
    void wrongJsonTypesNameTheirField() {
        badSubmission("{\"type\":\"noop\",\"maxAttempts\":\"abc\"}", "maxAttempts");
        badSubmission("{\"type\":{}}", "type");
        badSubmission("{\"type\":[\"noop\"]}", "type");
        badSubmission("{\"type\":\"noop\",\"runAt\":{}}", "runAt");
        badBatch("{\"jobs\":{}}", "jobs");
        badBatch("{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"noop\",\"maxAttempts\":\"x\"}]}", "jobs[1].maxAttempts");
        badBatch("{\"jobs\":[{\"type\":\"noop\",\"idempotencyKey\":{}}]}", "jobs[0].idempotencyKey");
    }

    @Test
    void scalarsAreNotCoercedIntoOtherTypes() {
        badSubmission("{\"type\":123}", "type");
        badSubmission("{\"type\":true}", "type");
        badSubmission("{\"type\":\"noop\",\"maxAttempts\":\"5\"}", "maxAttempts");
        badSubmission("{\"type\":\"noop\",\"maxAttempts\":2.7}", "maxAttempts");
        badSubmission("{\"type\":\"noop\",\"runAt\":1700000000}", "runAt");
    }

    @Test
    void extremeRunAtIsRefused() {
        badSubmission("{\"type\":\"noop\",\"runAt\":\"+999999999-12-31T23:59:59Z\"}", "runAt");
        badSubmission("{\"type\":\"noop\",\"runAt\":\"-999999999-01-01T00:00:00Z\"}", "runAt");
        badSubmission("{\"type\":\"noop\",\"runAt\":\"+10000-01-01T00:00:00Z\"}", "runAt");
    }

    @Test
    void emptyOrBlankIdempotencyKeyIsRefused() {
        for (String key : new String[] {"", " ", "\t"}) {
            refusedWithoutWrites(given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"type\":\"noop\"}"),
                    "POST", "/queues/hostile/jobs", 400, "Idempotency-Key");
        }
        badBatch("{\"jobs\":[{\"type\":\"noop\",\"idempotencyKey\":\"\"}]}", "jobs[0].idempotencyKey");
    }

    @Test
    void bodyOverTheLimitIs413Problem() {
        String big = "{\"type\":\"noop\",\"payload\":{\"blob\":\"" + "a".repeat(70 * 1024) + "\"}}";
        refusedWithoutWrites(given().contentType(ContentType.JSON).body(big), "POST", "/queues/hostile/jobs", 413, null);
    }

    /** The payload limit (16384 here) is in bytes of UTF-8: 5,500 euro signs are fewer chars than it, but 16,500 bytes. */
    @Test
    void payloadLimitCountsUtf8Bytes() {
        refusedWithoutWrites(given().contentType("application/json; charset=UTF-8").body(blob("\u20ac".repeat(5_500))), "POST",
                "/queues/hostile/jobs", 413, "payload");
        given().contentType("application/json; charset=UTF-8").body(blob("\u20ac".repeat(5_400))).when().post("/queues/utf8/jobs")
                .then().statusCode(202);
    }

    private static byte[] blob(String text) {
        return ("{\"type\":\"noop\",\"payload\":{\"blob\":\"" + text + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void overLongUriIs414Problem() {
        refusedWithoutWrites(given(), "GET", "/queues/" + "q".repeat(9000), 414, null);
        refusedWithoutWrites(given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}"), "POST",
                "/queues/hostile/jobs?x=" + "y".repeat(9000), 414, null);
    }

    @Test
    void badPageParametersAreRefused() {
        refusedWithoutWrites(given(), "GET", "/queues/hostile/dead?limit=abc", 400, "limit");
        refusedWithoutWrites(given(), "GET", "/queues/hostile/dead?limit=1.5", 400, "limit");
        refusedWithoutWrites(given(), "GET", "/queues/hostile/dead?after=99999999999999999999-0", 400, "after");
        refusedWithoutWrites(given(), "GET", "/queues/hostile/dead?after=1-99999999999999999999", 400, "after");
    }

    @Test
    void lastPossibleStreamIdIsAnEmptyPage() {
        given().when().get("/queues/hostile/dead?after=18446744073709551615-18446744073709551615")
                .then().statusCode(200).body("items.size()", equalTo(0));
    }

    @Test
    void outOfMemoryIs503AndNotReady() {
        try (RespClient redis = redis()) {
            redis.call("CONFIG", "SET", "maxmemory", "1");
            try {
                refusedWithoutWrites(given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}"), "POST",
                        "/queues/hostile/jobs", 503, null)
                        .header("Retry-After", "1").body("detail", containsString("out of memory"));
                given().when().get("/q/health/ready").then().statusCode(503)
                        .body("checks.find { it.name == 'redis-master' }.data.memory", equalTo("full"));
            } finally {
                redis.call("CONFIG", "SET", "maxmemory", "0");
            }
        }
        given().when().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void sameKeyWithReorderedPayloadIsAReplay() {
        // the fingerprint reads the payload with its members sorted, header key or batch key alike
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", "reordered")
                .body("{\"type\":\"noop\",\"payload\":{\"a\":1,\"b\":{\"c\":2,\"d\":[2,1]}}}")
                .when().post("/queues/hostile-ok/jobs").then().statusCode(202).extract().path("id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", "reordered")
                .body("{\"payload\":{\"b\":{\"d\":[2,1],\"c\":2},\"a\":1},\"type\":\"noop\"}")
                .when().post("/queues/hostile-ok/jobs")
                .then().statusCode(200).header("Idempotent-Replayed", "true").body("id", equalTo(first));
        given().contentType(ContentType.JSON)
                .body("{\"jobs\":[{\"type\":\"noop\",\"idempotencyKey\":\"reordered\",\"payload\":{\"b\":{\"c\":2,\"d\":[2,1]},\"a\":1}}]}")
                .when().post("/queues/hostile-ok/jobs/batch")
                .then().statusCode(202).body("jobs[0].id", equalTo(first), "jobs[0].replayed", equalTo(true));
        // an array is not reordered: [1,2] is another payload than [2,1]
        given().contentType(ContentType.JSON).header("Idempotency-Key", "reordered")
                .body("{\"type\":\"noop\",\"payload\":{\"a\":1,\"b\":{\"c\":2,\"d\":[1,2]}}}")
                .when().post("/queues/hostile-ok/jobs").then().statusCode(422);
    }
}
