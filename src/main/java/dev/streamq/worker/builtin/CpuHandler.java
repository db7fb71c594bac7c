package dev.streamq.worker.builtin;

import dev.streamq.worker.BlockingJobHandler;
import dev.streamq.worker.JobContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/** Hashes its own id payload.iterations times: CPU-bound work that must stay off the event loop. */
@ApplicationScoped
public class CpuHandler implements BlockingJobHandler {

    @Override
    public String type() {
        return "cpu";
    }

    @Override
    public Object handleBlocking(JobContext job) throws Exception {
        long iterations = Math.max(1, job.payload().path("iterations").asLong(10_000));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] digest = job.id().getBytes(StandardCharsets.UTF_8);
        for (long i = 0; i < iterations; i++) {
            digest = sha.digest(digest);
        }
        return Map.of("iterations", iterations, "digest", HexFormat.of().formatHex(digest));
    }
}
