package dev.streamq.worker;

import dev.streamq.config.StreamqConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The handler of each job type, found once at startup; two handlers for one type is a deployment error. */
@ApplicationScoped
public class Handlers {

    private final Map<String, JobHandler> byType = new HashMap<>();

    /** Where the built-in demo handlers live; they serve only with streamq.worker.builtin-handlers=true. */
    private static final String BUILTIN_PACKAGE = "dev.streamq.worker.builtin";

    Handlers(Instance<JobHandler> handlers, StreamqConfig config) {
        boolean builtins = config.worker().builtinHandlers();
        for (JobHandler handler : handlers) {
            if (!builtins && isBuiltin(handler)) {
                continue;
            }
            JobHandler previous = byType.put(handler.type(), handler);
            if (previous != null) {
                throw new IllegalStateException("two handlers for job type '" + handler.type() + "': "
                        + previous.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
    }

    /** Quarkus generates a bean's client proxy in the bean's own package, so the proxy's package is the bean's. */
    private static boolean isBuiltin(JobHandler handler) {
        return handler.getClass().getPackageName().equals(BUILTIN_PACKAGE);
    }

    public Optional<JobHandler> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }
}
