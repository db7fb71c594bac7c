package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Redis refuses the application's credentials (it needs a password the application was not
 * given): one startup error naming the setting, readiness down naming it too, and a 503
 * problem for the API rather than a 500. AclCredentialsTest: the same for an ACL user's wrong password.
 */
@QuarkusTest
@WithTestResource(PasswordRedisResource.class)
class RedisCredentialsTest {

    @Test
    void refusedCredentialsAreAStartupErrorNamingTheSettingAndA503() {
        refusedCredentials(PasswordRedisResource.appLog, "quarkus.redis.password");
    }

    /** What a refused login must look like: {@code setting} is the one the operator has to fix. */
    static void refusedCredentials(Path appLog, String setting) {
        Await.condition("the startup error naming the setting", Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
            try {
                String log = Files.readString(appLog);
                return log.contains("redis_auth_failed") && log.contains(setting);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'redis-master' }.data.fix", containsString(setting));
        long started = System.currentTimeMillis();
        given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when().post("/queues/auth/jobs")
                .then().statusCode(503).header("Retry-After", "1").contentType("application/problem+json")
                .body("status", equalTo(503), "detail", containsString("credentials"));
        assertTrue(System.currentTimeMillis() - started < 3_000, "a refusal is not retried for the whole budget");
        given().when().get("/jobs/auth~0190a7a4-8c1a-7000-8000-000000000000").then().statusCode(503)
                .contentType("application/problem+json");
    }
}
