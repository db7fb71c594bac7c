package dev.streamq.metrics;

import dev.streamq.config.StreamqConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code queue} label of this process' per-queue series. The first
 * {@code streamq.metrics.queue-series-limit} queues a process meets each get their own; any
 * more share {@value #OVERFLOW}, whose series sum theirs, until a labelled queue is forgotten
 * and frees its place. Without a bound a queue costs ~13 KB of heap in a worker and ~8 KB where
 * the API runs, and ~50 exported series: at 10,000 queues both processes died of
 * OutOfMemoryError under the shipped -Xmx96m, and a scrape was 500,000 lines. The same bound
 * as OpenTelemetry's cardinality limit, with an overflow series, for the same reason.
 *
 * <p>{@value #OVERFLOW} cannot be a queue's name (names start with a letter or digit), so a
 * series labelled with it is never mistaken for a queue's own.
 */
@ApplicationScoped
public class QueueLabels {

    public static final String OVERFLOW = "_overflow";

    private final int limit;
    private final Set<String> labelled = ConcurrentHashMap.newKeySet();

    @Inject
    QueueLabels(StreamqConfig config) {
        this(config.metrics().queueSeriesLimit());
    }

    /** A bound of its own, for tests without a Quarkus application. */
    public QueueLabels(int limit) {
        this.limit = limit;
    }

    /** {@code queue} itself when it has, or can now get, series of its own; else {@value #OVERFLOW}. */
    public String of(String queue) {
        if (labelled.contains(queue)) {
            return queue;
        }
        synchronized (this) {
            if (labelled.size() < limit) {
                labelled.add(queue);
                return queue;
            }
        }
        return OVERFLOW;
    }

    /** Whether {@code queue} has series of its own, without giving it a place. */
    public boolean labelled(String queue) {
        return labelled.contains(queue);
    }

    /** {@code queue} is gone (its series removed): its place goes to the next queue met. */
    public void release(String queue) {
        labelled.remove(queue);
    }
}
