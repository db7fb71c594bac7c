package dev.streamq.queue;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.Optional;
import java.util.UUID;

/**
 * A job id: the queue name, '~', and a UUIDv7. The queue is part of the id so that any pod
 * can find a job's keys (and Redis Cluster slot) from the id alone, with no lookup table
 * that would have to be written outside the queue's slot. UUIDv7 keeps ids time-ordered.
 * The id is never the stream entry id: a job gets a new entry on every retry.
 */
public final class JobId {

    private static final char SEPARATOR = '~';
    private static final TimeBasedEpochGenerator UUID_V7 = Generators.timeBasedEpochGenerator();

    private JobId() {}

    public static String next(QueueName queue) {
        return queue.value() + SEPARATOR + UUID_V7.generate();
    }

    /** The queue of a well-formed id, or empty for anything else (which then cannot exist). */
    public static Optional<QueueName> queueOf(String id) {
        int at = id == null ? -1 : id.lastIndexOf(SEPARATOR);
        if (at <= 0 || !QueueName.isValid(id.substring(0, at))) {
            return Optional.empty();
        }
        try {
            UUID.fromString(id.substring(at + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(new QueueName(id.substring(0, at)));
    }
}
