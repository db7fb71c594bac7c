package dev.streamq.api;

/** A request the API refuses, with the status and the field to blame. Nothing was written to Redis. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String field;

    public ProblemException(int status, String field, String detail) {
        super(detail);
        this.status = status;
        this.field = field;
    }

    public static ProblemException badField(String field, String detail) {
        return new ProblemException(400, field, detail);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
