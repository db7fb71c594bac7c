package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * With authentication on (the shipped default), the job API wants a bearer token whose groups
 * hold the endpoint's role and whose queues claim, when present, covers the queue; every
 * refusal is a problem+json 401 or 403, and a refused request writes nothing.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
@WithTestResource(RedisServerResource.class)
class AuthTest {

    private static final String BODY = "{\"type\":\"noop\"}";

    private static String token(Set<String> roles, List<String> queues) {
        var claims = Jwt.issuer("streamq").subject("team-a").groups(roles).expiresAt(Instant.now().plusSeconds(300));
        if (queues != null) {
            claims.claim("queues", queues);
        }
        return claims.sign();
    }

    private static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    private static long keys() {
        try (var redis = RedisServerResource.current.client()) {
            return redis.callLong("DBSIZE");
        }
    }

    @Test
    void noTokenIs401ProblemWithBearerChallengeAndWritesNothing() {
        long before = keys();
        given().contentType(ContentType.JSON).body(BODY).when().post("/queues/auth/jobs")
                .then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer")).body("status", equalTo(401));
        assertEquals(before, keys());
    }

    @Test
    void forgedOrExpiredTokenIs401() {
        String forged = token(Set.of("operator"), null);
        forged = forged.substring(0, forged.lastIndexOf('.') + 1) + "AAAA";
        as(forged).body(BODY).when().post("/queues/auth/jobs").then().statusCode(401)
                .contentType("application/problem+json");
        String expired = Jwt.issuer("streamq").subject("team-a").groups("operator")
                .issuedAt(Instant.now().minusSeconds(600)).expiresAt(Instant.now().minusSeconds(300)).sign();
        as(expired).body(BODY).when().post("/queues/auth/jobs").then().statusCode(401);
        String otherIssuer = Jwt.issuer("someone-else").subject("x").groups("operator")
                .expiresAt(Instant.now().plusSeconds(300)).sign();
        as(otherIssuer).body(BODY).when().post("/queues/auth/jobs").then().statusCode(401);
    }

    @Test
    void producerSubmitsAndReadsButCannotRedriveOrReadDeadLetters() {
        String producer = token(Set.of("producer"), null);
        String id = as(producer).body(BODY).when().post("/queues/auth/jobs").then().statusCode(202).extract().path("id");
        as(producer).when().get("/jobs/" + id).then().statusCode(200).body("id", equalTo(id));
        as(producer).when().post("/jobs/" + id + "/redrive").then().statusCode(403).contentType("application/problem+json");
        as(producer).when().get("/queues/auth/dead").then().statusCode(403);
        as(producer).when().post("/queues/auth/dead/redrive").then().statusCode(403);
    }

    @Test
    void readerReadsButCannotSubmit() {
        String id = as(token(Set.of("producer"), null)).body(BODY).when().post("/queues/auth/jobs")
                .then().statusCode(202).extract().path("id");
        String reader = token(Set.of("reader"), null);
        long before = keys();
        as(reader).body(BODY).when().post("/queues/auth/jobs").then().statusCode(403)
                .body("detail", containsString("roles"));
        assertEquals(before, keys(), "a refused submit wrote nothing");
        as(reader).when().get("/jobs/" + id).then().statusCode(200);
        as(reader).when().get("/queues/auth/dead").then().statusCode(200);
    }

    @Test
    void operatorRedrives() {
        String operator = token(Set.of("operator"), null);
        String id = as(operator).body(BODY).when().post("/queues/auth/jobs").then().statusCode(202).extract().path("id");
        // not dead, so 409: the role was enough to get past authorization to the queue's own answer
        as(operator).when().post("/jobs/" + id + "/redrive").then().statusCode(409);
        as(operator).when().post("/queues/auth/dead/redrive").then().statusCode(200);
    }

    @Test
    void queuesClaimLimitsATokenToItsQueues() {
        String team = token(Set.of("producer", "reader"), List.of("orders-*", "billing"));
        as(team).body(BODY).when().post("/queues/orders-eu/jobs").then().statusCode(202);
        as(team).body(BODY).when().post("/queues/billing/jobs").then().statusCode(202);
        String other = as(token(Set.of("producer"), null)).body(BODY).when().post("/queues/payroll/jobs")
                .then().statusCode(202).extract().path("id");
        long before = keys();
        as(team).body(BODY).when().post("/queues/payroll/jobs").then().statusCode(403)
                .body("detail", containsString("payroll"));
        as(team).body(BODY).when().post("/queues/billing-x/jobs").then().statusCode(403);
        assertEquals(before, keys());
        as(team).when().get("/jobs/" + other).then().statusCode(403);
        as(team).when().get("/queues").then().statusCode(200)
                .body("queue", hasItem("orders-eu")).body("queue", everyItem(anyOf(startsWith("orders-"), equalTo("billing"))));
    }

    @Test
    void healthNeedsNoToken() {
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
