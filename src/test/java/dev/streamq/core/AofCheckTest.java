package dev.streamq.core;

import static io.restassured.RestAssured.given;

import dev.streamq.lab.Await;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A Redis without AOF is named in one startup warning; the service still starts and serves. */
@QuarkusTest
@WithTestResource(AofOffRedisResource.class)
class AofCheckTest {

    @Test
    void redisWithoutAofIsAStartupWarning() {
        Await.condition("the redis_aof_off warning", Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
            try {
                String log = Files.readString(AofOffRedisResource.appLog);
                return log.contains("appendonly no") && log.contains("without AOF");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        given().when().get("/q/health/ready").then().statusCode(200);
    }
}
