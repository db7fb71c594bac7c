package dev.streamq.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A producer as a careful client writes one: one job every period, each with its own
 * Idempotency-Key, and on a 503 or a broken connection the same key again with backoff
 * until the job is acknowledged (or a deadline passes). Records each acknowledgement's time.
 */
final class Producer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String baseUrl;
    private final Duration period;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final List<Long> ackTimes = new CopyOnWriteArrayList<>();
    private final List<Long> refusalTimes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile String lastUnacknowledgedKey;

    Producer(String baseUrl, Duration period) {
        this.baseUrl = baseUrl;
        this.period = period;
        this.thread = new Thread(this::run, "producer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long n = 0;
        while (running.get()) {
            String key = "ha-" + System.nanoTime() + "-" + n++;
            submitUntilAcknowledged(key, System.currentTimeMillis() + 60_000);
            sleep(period.toMillis());
        }
    }

    private void submitUntilAcknowledged(String key, long deadline) {
        long backoff = 50;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/queues/ha/jobs"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"}"))
                        .build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    acknowledged.add(JSON.readTree(response.body()).get("id").asText());
                    ackTimes.add(System.currentTimeMillis());
                    lastUnacknowledgedKey = null;
                    return;
                }
                if (response.statusCode() != 503) {
                    throw new IllegalStateException("unexpected " + response.statusCode() + ": " + response.body());
                }
            } catch (IOException e) {
                // connection refused or reset: retry the same key, as with a 503
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            refusalTimes.add(System.currentTimeMillis());
            lastUnacknowledgedKey = key;
            sleep(backoff);
            backoff = Math.min(1_000, backoff * 2);
        }
    }

    /** First acknowledgement at or after {@code since}, or -1. */
    long firstAckAfter(long since) {
        return ackTimes.stream().filter(t -> t >= since).mapToLong(Long::longValue).min().orElse(-1);
    }

    int refusalsBetween(long from, long to) {
        return (int) refusalTimes.stream().filter(t -> t >= from && t <= to).count();
    }

    Set<String> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    /** Stops after the job in hand is acknowledged (so no job is left half-submitted). */
    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(70_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    static String text(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
