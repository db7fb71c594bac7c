package dev.streamq.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged app with the shipped defaults: authentication is on unless turned off, an API
 * process without a verification key refuses to start and names the key, and with a key it
 * answers 401 to a request without a token and 202 to one with a producer token.
 */
class PackagedAuthIT {

    private static final Path PUBLIC_KEY = Paths.get("src/test/resources/auth/publicKey.pem").toAbsolutePath();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path workDir;

    @Test
    @Timeout(60)
    void apiWithoutAVerificationKeyRefusesToStartAndNamesTheKey() throws Exception {
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, workDir.resolve("redis"));
                ServiceProcess api = ServiceProcess.builder(ServiceProcess.defaultJar()).name("api").role("api")
                        .topology(topology).env("STREAMQ_AUTH_ENABLED", "true").workDir(workDir).start()) {
            Await.condition("the API process to exit", Duration.ofSeconds(40), Duration.ofMillis(200), () -> !api.isAlive());
            String log = Files.readString(api.logFile());
            assertTrue(log.contains("mp.jwt.verify.publickey.location"), "the refusal names the key to set: " + log);
        }
    }

    @Test
    @Timeout(90)
    void withAKeyTheApiWantsATokenAndTakesAProducers() throws Exception {
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, workDir.resolve("redis"));
                ServiceProcess api = ServiceProcess.builder(ServiceProcess.defaultJar()).name("api").role("api")
                        .topology(topology).env("STREAMQ_AUTH_ENABLED", "true")
                        .env("MP_JWT_VERIFY_PUBLICKEY_LOCATION", PUBLIC_KEY.toString()).workDir(workDir).start()) {
            api.awaitReady(Duration.ofSeconds(60));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> anonymous = http.send(submit(api, null), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode(), anonymous.body());
            assertEquals("application/problem+json", anonymous.headers().firstValue("Content-Type").orElse(""));
            String token = Jwt.issuer("streamq").subject("it").groups("producer").expiresAt(Instant.now().plusSeconds(120))
                    .sign(KeyUtils.readPrivateKey("auth/privateKey.pem"));
            HttpResponse<String> producer = http.send(submit(api, token), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, producer.statusCode(), producer.body());
            assertFalse(Files.readString(api.logFile()).contains("streamq.auth.enabled=false"), "auth was on");
        }
    }

    private static HttpRequest submit(ServiceProcess api, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/queues/it/jobs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.build();
    }
}
