package dev.streamq.api;

import dev.streamq.redis.RedisErrorKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Arrays;

/**
 * {@code streamq_api_refused_total{reason}}: requests the API answered 503 + Retry-After, nothing
 * written, the client to retry with its key. By reason: the Redis error kind that stopped the call,
 * {@code not_durable} (WAIT found too few replicas), or {@code overloaded} (the bodies already
 * being read fill the API's body budget, BodyAdmission). Every reason starts at 0, so increase()
 * sees a pod's first refusal: Micrometer's own http_server_requests series for status 503 is born
 * at its first value, which hides a short outage from an alert.
 */
@ApplicationScoped
public class RefusedRequests {

    static final String METER = "streamq.api.refused";
    static final String NOT_DURABLE = "not_durable";
    static final String OVERLOADED = "overloaded";

    private final MeterRegistry registry;

    RefusedRequests(MeterRegistry registry) {
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        Arrays.stream(RedisErrorKind.values()).forEach(kind -> refused(kind.label(), 0));
        refused(NOT_DURABLE, 0);
        refused(OVERLOADED, 0);
    }

    void refused(String reason) {
        refused(reason, 1);
    }

    private void refused(String reason, int count) {
        registry.counter(METER, "reason", reason).increment(count);
    }
}
