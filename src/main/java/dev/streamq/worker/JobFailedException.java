package dev.streamq.worker;

/** A handler's way to fail an attempt with a message of its own. */
public class JobFailedException extends RuntimeException {

    public JobFailedException(String message) {
        super(message);
    }

    public JobFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
