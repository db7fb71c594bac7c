package dev.streamq.redis;

/** Redis could not take a call within the retry budget; the API answers 503 with Retry-After. */
public class RedisUnavailableException extends RuntimeException {

    private final RedisErrorKind kind;

    public RedisUnavailableException(RedisErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public RedisErrorKind kind() {
        return kind;
    }
}
