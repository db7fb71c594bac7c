package dev.streamq.worker;

import dev.streamq.metrics.QueueLabels;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code streamq.worker.inflight}: jobs running now, per consumed queue, under the queue's
 * label (QueueLabels): a queue past the series limit counts in the overflow series, the sum of
 * every consumed queue without a gauge of its own.
 */
final class InflightGauges {

    private final MeterRegistry meters;
    private final QueueLabels labels;
    private final Map<String, QueueWorker> consumed;
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    InflightGauges(MeterRegistry meters, QueueLabels labels, Map<String, QueueWorker> consumed) {
        this.meters = meters;
        this.labels = labels;
        this.consumed = consumed;
    }

    /**
     * The gauge {@code queue} counts in, made when missing. Asked again on every discovery: a
     * queue gets its own once JobMetrics.track gave it a place, and takes none here.
     */
    void show(String queue) {
        String label = labels.current(queue);
        if (!label.equals(queue)) {
            hide(queue); // its place was given back while it is still consumed (a queue named in streamq.worker.queues)
        }
        gauges.computeIfAbsent(label, l -> Gauge.builder("streamq.worker.inflight", consumed, c -> running(l))
                .tag("queue", l).register(meters));
    }

    /** Removes {@code queue}'s own gauge; the overflow series stays, as a sum. */
    void hide(String queue) {
        Gauge gauge = gauges.remove(queue);
        if (gauge != null) {
            meters.remove(gauge);
        }
    }

    private double running(String label) {
        if (!QueueLabels.OVERFLOW.equals(label)) {
            QueueWorker worker = consumed.get(label);
            return worker == null ? Double.NaN : worker.inFlightCount();
        }
        int sum = 0;
        for (QueueWorker worker : consumed.values()) {
            // a queue that got its label counts here until its own gauge exists: in one place, never none
            if (!gauges.containsKey(worker.queue().value())) {
                sum += worker.inFlightCount();
            }
        }
        return sum;
    }
}
