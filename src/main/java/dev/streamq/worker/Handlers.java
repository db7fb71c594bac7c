package dev.streamq.worker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The handler of each job type, found once at startup; two handlers for one type is a deployment error. */
@ApplicationScoped
public class Handlers {

    private final Map<String, JobHandler> byType = new HashMap<>();

    Handlers(Instance<JobHandler> handlers) {
        for (JobHandler handler : handlers) {
            JobHandler previous = byType.put(handler.type(), handler);
            if (previous != null) {
                throw new IllegalStateException("two handlers for job type '" + handler.type() + "': "
                        + previous.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
    }

    public Optional<JobHandler> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }
}
