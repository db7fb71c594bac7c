package dev.streamq.queue;

import java.util.Map;

/** A job as stored in its hash; times are epoch ms, 0 when not reached yet. */
public record Job(
        String id,
        QueueName queue,
        String type,
        String payload,
        JobState state,
        int attempts,
        int maxAttempts,
        long createdAt,
        long runAt,
        long startedAt,
        long finishedAt,
        long updatedAt,
        String lastError,
        String deadReason,
        String result,
        String idempotencyKey) {

    static Job fromHash(QueueName queue, Map<String, String> h) {
        return new Job(
                h.get("id"),
                queue,
                h.get("type"),
                h.get("payload"),
                JobState.of(h.get("state")),
                intOf(h.get("attempts")),
                intOf(h.get("max_attempts")),
                longOf(h.get("created_at")),
                longOf(h.get("run_at")),
                longOf(h.get("started_at")),
                longOf(h.get("finished_at")),
                longOf(h.get("updated_at")),
                blankToNull(h.get("last_error")),
                blankToNull(h.get("dead_reason")),
                blankToNull(h.get("result")),
                blankToNull(h.get("idem_key")));
    }

    private static int intOf(String s) {
        return s == null || s.isEmpty() ? 0 : Integer.parseInt(s);
    }

    private static long longOf(String s) {
        return s == null || s.isEmpty() ? 0L : Long.parseLong(s);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
