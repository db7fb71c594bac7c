package dev.streamq.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Per-queue gauges over a map of per-queue values, under the queues' labels (QueueLabels): a
 * labelled queue's gauges read its value, NaN once it is gone (a scrape that races with its
 * removal); the overflow's sum every queue without gauges of its own, so a queue that just got
 * its label counts there until its own gauges exist: in one place, never none.
 *
 * @param <T> what is known of one queue
 */
public final class LabelledGauges<T> {

    /** One gauge of a label: its name, its tags besides {@code queue}, and how it reads a value. */
    public record Series<T>(String name, List<String> tags, ToDoubleFunction<T> value) {}

    private final MeterRegistry meters;
    private final Map<String, T> values;
    private final List<Series<T>> series;
    private final Map<String, List<Meter>> gauges = new ConcurrentHashMap<>();

    /** @param values by queue name; read at every scrape, so it must be safe to read concurrently */
    public LabelledGauges(MeterRegistry meters, Map<String, T> values, List<Series<T>> series) {
        this.meters = meters;
        this.values = values;
        this.series = List.copyOf(series);
    }

    /** Registers the gauges of {@code label} (a queue's, or the overflow's) when missing. */
    public void show(String label) {
        gauges.computeIfAbsent(label, this::register);
    }

    /** Removes {@code queue}'s own gauges; the overflow's stay, as a sum. */
    public void hide(String queue) {
        List<Meter> own = gauges.remove(queue);
        if (own != null) {
            own.forEach(meters::remove);
        }
    }

    private List<Meter> register(String label) {
        List<Meter> registered = new ArrayList<>(series.size());
        for (Series<T> one : series) {
            List<String> tags = new ArrayList<>(one.tags());
            tags.add("queue");
            tags.add(label);
            registered.add(Gauge.builder(one.name(), values, v -> value(label, one.value()))
                    .tags(tags.toArray(String[]::new))
                    .register(meters));
        }
        return registered;
    }

    private double value(String label, ToDoubleFunction<T> read) {
        if (!QueueLabels.OVERFLOW.equals(label)) {
            T value = values.get(label);
            return value == null ? Double.NaN : read.applyAsDouble(value);
        }
        double sum = 0;
        for (Map.Entry<String, T> entry : values.entrySet()) {
            if (!gauges.containsKey(entry.getKey())) {
                sum += read.applyAsDouble(entry.getValue());
            }
        }
        return sum;
    }
}
