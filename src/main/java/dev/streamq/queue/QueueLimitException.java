package dev.streamq.queue;

/** A submission to a new queue while the deployment holds {@code streamq.queues.max} queues already; nothing was written. */
public class QueueLimitException extends RuntimeException {

    public QueueLimitException(int max) {
        super("this deployment holds its maximum of " + max + " queues (streamq.queues.max); submit to an existing queue,"
                + " or wait for idle queues to be forgotten");
    }
}
