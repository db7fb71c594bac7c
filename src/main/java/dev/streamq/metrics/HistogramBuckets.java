package dev.streamq.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Arrays;

/**
 * The bucket boundaries of every histogram streamq exports, fixed and few: Prometheus stores one
 * series per bucket and label set, and Micrometer's own percentile histogram spends 87 buckets
 * on the range 1 ms .. 10 min, per queue and type. The boundaries sit where alerts and panels
 * read (JobLatencyHigh compares p99 with 30 s).
 */
@Singleton
public class HistogramBuckets {

    /** Submit-to-completion and handler time: 5 ms .. 10 min (the job timeout is 15 min). */
    static final Duration[] JOB = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);
    /** An API request: 1 ms .. 10 s (a submission gives up on Redis after the 3 s retry budget). */
    static final Duration[] HTTP = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);

    /** What Quarkus' HTTP server binder records per request, as a histogram for the "API p99 latency by uri" panel. */
    static final String HTTP_SERVER_REQUESTS = "http.server.requests";

    /**
     * Quarkus applies every MeterFilter bean to its registry before the binders register their
     * meters. Without it http_server_requests_seconds had no _bucket series at all, and the
     * panel that reads them stayed empty.
     */
    @Produces
    @Singleton
    MeterFilter httpServerRequestBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!HTTP_SERVER_REQUESTS.equals(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .serviceLevelObjectives(Arrays.stream(HTTP).mapToDouble(Duration::toNanos).toArray()) // a timer counts in ns
                        .build()
                        .merge(config);
            }
        };
    }

    private static Duration[] seconds(double... values) {
        Duration[] boundaries = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            boundaries[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return boundaries;
    }
}
