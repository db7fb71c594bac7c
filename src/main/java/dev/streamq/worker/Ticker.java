package dev.streamq.worker;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs a background duty again and again with a pause between the end of one run and the
 * start of the next, so runs never overlap and a slow Redis slows the duty instead of
 * stacking calls. A failed run is logged at debug level and the next one comes as usual.
 */
final class Ticker {

    private static final Logger LOG = Logger.getLogger(Ticker.class);

    private final String name;
    private final Vertx vertx;
    private final Duration interval;
    private final Supplier<Uni<Void>> duty;
    private volatile boolean running;

    Ticker(String name, Vertx vertx, Duration interval, Supplier<Uni<Void>> duty) {
        this.name = name;
        this.vertx = vertx;
        this.interval = interval;
        this.duty = duty;
    }

    void start() {
        running = true;
        vertx.runOnContext(v -> runOnce());
    }

    void stop() {
        running = false;
    }

    private void runOnce() {
        if (!running) {
            return;
        }
        Uni.createFrom().deferred(duty::get).subscribe().with(
                ok -> next(),
                failure -> {
                    LOG.debugf("%s failed: %s", name, failure.getMessage());
                    next();
                });
    }

    private void next() {
        if (running) {
            vertx.setTimer(Math.max(1, interval.toMillis()), id -> runOnce());
        }
    }
}
