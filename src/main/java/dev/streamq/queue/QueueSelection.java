package dev.streamq.queue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Some queues, by plain names and glob patterns ({@code *} any run of characters, {@code ?} one):
 * which queues a worker serves ({@code streamq.worker.queues}; a name is consumed whether
 * registered or not, a pattern is matched against the registry, so one pool of workers can be
 * kept to some tenants' queues), and which get series of their own ({@code streamq.metrics.queues}).
 */
public final class QueueSelection {

    private final List<QueueName> names = new ArrayList<>();
    private final List<Pattern> patterns = new ArrayList<>();

    public QueueSelection(List<String> configured) {
        for (String entry : configured) {
            String value = entry.trim();
            if (value.contains("*") || value.contains("?")) {
                patterns.add(glob(value));
            } else if (!value.isEmpty()) {
                names.add(new QueueName(value));
            }
        }
    }

    /** True when some queues are found in the registry, so it must be read. */
    public boolean readsRegistry() {
        return !patterns.isEmpty();
    }

    /** True when this selection takes {@code queue}, by name or by pattern. */
    public boolean wants(QueueName queue) {
        return names.contains(queue) || patterns.stream().anyMatch(p -> p.matcher(queue.value()).matches());
    }

    /** The queues to consume given the registry's current content. */
    public Set<QueueName> select(List<QueueName> registered) {
        Set<QueueName> out = new LinkedHashSet<>(names);
        for (QueueName queue : registered) {
            if (wants(queue)) {
                out.add(queue);
            }
        }
        return out;
    }

    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
