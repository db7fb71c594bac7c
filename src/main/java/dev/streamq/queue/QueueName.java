package dev.streamq.queue;

import java.util.regex.Pattern;

/**
 * A validated queue name and the Redis keys of that queue. Every key carries the hash
 * tag {name}, so a queue lives in one Redis Cluster slot and its Lua scripts stay legal there.
 */
public record QueueName(String value) {

    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public QueueName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("queue name must match " + VALID.pattern());
        }
    }

    public static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    private String prefix() {
        return "streamq:{" + value + "}:";
    }

    public String ready() {
        return prefix() + "ready";
    }

    public String delayed() {
        return prefix() + "delayed";
    }

    public String dead() {
        return prefix() + "dead";
    }

    public String jobPrefix() {
        return prefix() + "job:";
    }

    public String job(String jobId) {
        return jobPrefix() + jobId;
    }

    public String idempotency(String key) {
        return prefix() + "idem:" + key;
    }

    @Override
    public String toString() {
        return value;
    }
}
