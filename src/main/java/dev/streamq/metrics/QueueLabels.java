package dev.streamq.metrics;

import dev.streamq.config.StreamqConfig;
import dev.streamq.queue.QueueName;
import dev.streamq.queue.QueueSelection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code queue} label of this process' per-queue series. Queues that
 * {@code streamq.metrics.queues} selects (names and globs; every queue by default) get their own,
 * the first {@code streamq.metrics.queue-series-limit} of them this process meets; the others
 * share {@value #OVERFLOW}, whose series sum theirs, until a labelled queue is forgotten and
 * frees its place. Without a bound a queue costs ~13 KB of heap in a worker and ~8 KB where the
 * API runs, and ~50 exported series: at 10,000 queues both processes died of OutOfMemoryError
 * under the shipped -Xmx96m, and a worker's scrape was 500,000 lines. The same bound, with an
 * overflow series, as OpenTelemetry's cardinality limit.
 *
 * <p>Past the limit "the first met" differs between pods, so a queue can have its own series on
 * one pod and be in {@value #OVERFLOW} on another; naming the queues that matter in
 * {@code streamq.metrics.queues} makes the choice the same everywhere. {@value #OVERFLOW}
 * cannot be a queue's name (names start with a letter or digit).
 */
@ApplicationScoped
public class QueueLabels {

    public static final String OVERFLOW = "_overflow";

    private final int limit;
    private final QueueSelection chosen;
    private final Set<String> labelled = ConcurrentHashMap.newKeySet();

    @Inject
    QueueLabels(StreamqConfig config) {
        this(config.metrics().queueSeriesLimit(), config.metrics().queues());
    }

    /** A bound and a selection of its own, for tests without a Quarkus application. */
    public QueueLabels(int limit, List<String> queues) {
        this.limit = limit;
        this.chosen = new QueueSelection(queues);
    }

    /** {@code queue} itself when it has, or can now get, series of its own; else {@value #OVERFLOW}. */
    public String of(String queue) {
        if (labelled.contains(queue)) {
            return queue;
        }
        // the overflow's events, most of them past the limit, take no lock
        if (labelled.size() >= limit || !chosen.wants(new QueueName(queue))) {
            return OVERFLOW;
        }
        synchronized (this) {
            if (labelled.contains(queue) || labelled.size() < limit) {
                labelled.add(queue);
                return queue;
            }
        }
        return OVERFLOW;
    }

    /** {@code queue}'s label now, taking no place: itself when it has one, else {@value #OVERFLOW}. */
    public String current(String queue) {
        return labelled.contains(queue) ? queue : OVERFLOW;
    }

    /** {@code queue} is gone (its series removed): its place goes to the next queue met. */
    public void release(String queue) {
        labelled.remove(queue);
    }
}
