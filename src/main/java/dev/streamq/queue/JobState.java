package dev.streamq.queue;

import java.util.Locale;

/** Where a job is in its life; stored in the job hash as the lower-case name. */
public enum JobState {
    SCHEDULED, QUEUED, RUNNING, SUCCEEDED, RETRYING, DEAD;

    public static JobState of(String stored) {
        return valueOf(stored.toUpperCase(Locale.ROOT));
    }

    public String stored() {
        return name().toLowerCase(Locale.ROOT);
    }
}
