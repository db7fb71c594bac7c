package dev.streamq.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.JobsClient;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
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
 * answers 401 to a request without a token and 202 to one with a producer token; health and
 * metrics are served on the management port, without a token, and not on the job API's port.
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
            JobsClient.Reply anonymous = submit(api.jobs());
            assertEquals(401, anonymous.status(), anonymous.text());
            assertEquals("application/problem+json", anonymous.header("Content-Type"));
            String token = Jwt.issuer("streamq").subject("it").groups("producer").expiresAt(Instant.now().plusSeconds(120))
                    .sign(KeyUtils.readPrivateKey("auth/privateKey.pem"));
            JobsClient.Reply producer = submit(api.jobs().withToken(token));
            assertEquals(202, producer.status(), producer.text());
            assertFalse(Files.readString(api.logFile()).contains("streamq.auth.enabled=false"), "auth was on");

            for (String path : new String[] {"/q/health/ready", "/q/metrics"}) {
                assertEquals(200, api.management().status(path), path + " on the management port, no token");
                JobsClient.Reply onApiPort = api.jobs().getPath(path);
                assertEquals(404, onApiPort.status(), path + " is not on the job API's port: " + onApiPort.text());
            }
        }
    }

    private static JobsClient.Reply submit(JobsClient jobs) {
        return jobs.submit("it", JobsClient.job("noop", null, null, null), null);
    }
}
