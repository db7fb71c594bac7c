package dev.streamq.queue;

import java.util.Locale;

/** What complete.lua, fail.lua and start.lua reported, in their own words. */
public enum Outcome {
    /** Recorded as asked. */
    OK,
    /** The job had succeeded already: a second execution, counted, not hidden. */
    DUPLICATE,
    /** A retry was scheduled. */
    RETRY,
    /** The job was dead-lettered. */
    DEAD,
    /** The delivery was outdated (the job finished or moved to a newer entry); nothing ran or changed. */
    STALE,
    /** The job hash no longer exists (expired); the entry was retired. */
    GONE;

    static Outcome of(String reply) {
        return valueOf(reply.toUpperCase(Locale.ROOT));
    }
}
