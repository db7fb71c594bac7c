package dev.streamq.queue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A validated job submission.
 *
 * @param payload the payload as JSON text, as the producer sent it
 * @param canonicalPayload the same JSON with object members sorted by name: what the
 *     fingerprint reads, so a retry that sends the members in another order is a replay;
 *     null for a job without an idempotency key, which has no fingerprint
 * @param runAtMillis epoch ms at which the job may run; 0 for now
 * @param idempotencyKey null when the producer sent none
 */
public record NewJob(String type, String payload, String canonicalPayload, int maxAttempts, long runAtMillis,
        String idempotencyKey) {

    public NewJob {
        if ((canonicalPayload == null) != (idempotencyKey == null)) {
            throw new IllegalArgumentException("a canonical payload goes with an idempotency key, and only with one");
        }
    }

    /** What a reused Idempotency-Key must match to be a replay rather than a conflict. */
    public String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String request = type + '\n' + maxAttempts + '\n' + runAtMillis + '\n' + canonicalPayload;
            return HexFormat.of().formatHex(sha.digest(request.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
