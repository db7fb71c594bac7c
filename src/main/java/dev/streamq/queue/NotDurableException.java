package dev.streamq.queue;

/**
 * The job is on the master but WAIT saw fewer replicas acknowledge it in time than
 * {@link ReplicaQuorum} requires. The API answers 503: the client retries with the same
 * Idempotency-Key, which returns the same job once it is replicated.
 */
public class NotDurableException extends RuntimeException {

    public NotDurableException(long acknowledged, int required) {
        super("the job reached " + acknowledged + " of the " + required + " replicas required in time");
    }
}
