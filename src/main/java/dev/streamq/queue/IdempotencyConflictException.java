package dev.streamq.queue;

/** An Idempotency-Key was reused for a different request; nothing of the submission was written. */
public class IdempotencyConflictException extends RuntimeException {

    private final int jobIndex;

    public IdempotencyConflictException(int jobIndex) {
        super("the idempotency key was already used for a different request");
        this.jobIndex = jobIndex;
    }

    /** Position (0-based) of the offending job in the submission. */
    public int jobIndex() {
        return jobIndex;
    }
}
