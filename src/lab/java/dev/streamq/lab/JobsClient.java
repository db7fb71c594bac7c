package dev.streamq.lab;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The lab's one HTTP client of the service: submit jobs, read them and the queues back, wait
 * for them, probe health and scrape metrics. The demo, the drills, the bench, the load
 * generator and the tests all go through it, so the API contract (paths, headers, field names)
 * lives in one place. Bodies are plain maps: the lab speaks the API, not the service's types.
 *
 * <p>HTTP/1.1, as producers mostly speak it: Java's default would try an h2c upgrade first.
 * A connection that fails throws {@link UncheckedIOException}; any answer is a {@link Reply}.
 */
public final class JobsClient {

    /** States after which a job never changes again. */
    public static final Set<String> TERMINAL = Set.of("succeeded", "dead");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final String baseUrl;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String token;

    public JobsClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(10));
    }

    public JobsClient(String baseUrl, Duration requestTimeout) {
        this(baseUrl, requestTimeout, null);
    }

    private JobsClient(String baseUrl, Duration requestTimeout, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.requestTimeout = requestTimeout;
        this.token = token;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
    }

    /**
     * The same client sending {@code Authorization: Bearer token}. The lab runs its services
     * with authentication off (ServiceProcess); a test of authentication turns it on and
     * calls with a token.
     */
    public JobsClient withToken(String bearerToken) {
        return new JobsClient(baseUrl, requestTimeout, bearerToken);
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** A job body: {"type":..., "payload":..., "maxAttempts":...?, "runAt":...?}. */
    public static Map<String, Object> job(String type, Map<String, Object> payload, Integer maxAttempts, String runAt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("payload", payload == null ? Map.of() : payload);
        if (maxAttempts != null) {
            body.put("maxAttempts", maxAttempts);
        }
        if (runAt != null) {
            body.put("runAt", runAt);
        }
        return body;
    }

    /** POST /queues/{queue}/jobs; {@code idempotencyKey} may be null. */
    public Reply submit(String queue, Map<String, Object> job, String idempotencyKey) {
        HttpRequest.Builder request = post("/queues/" + queue + "/jobs", job);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request.build());
    }

    /** POST /queues/{queue}/jobs/batch with {"jobs":[...]}. */
    public Reply submitBatch(String queue, List<Map<String, Object>> jobs) {
        return send(post("/queues/" + queue + "/jobs/batch", Map.of("jobs", jobs)).build());
    }

    /** GET /jobs/{id}. */
    public Reply get(String id) {
        return getPath("/jobs/" + id);
    }

    /** GET /queues/{queue}: ready, pending, delayed, dead, lag (cached by the API for 1 s). */
    public Reply queue(String queue) {
        return getPath("/queues/" + queue);
    }

    /** Any GET, e.g. "/q/metrics" or "/q/health/ready". */
    public Reply getPath(String path) {
        return send(request(path).GET().build());
    }

    /** HTTP status of a GET on {@code path}, or -1 when the connection fails. */
    public int status(String path) {
        try {
            return getPath(path).status();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    /**
     * Polls GET /jobs/{id} until the job is succeeded or dead, or {@code timeout} passes; returns
     * the last view seen either way (check {@code state}), so a stuck job is reported, not thrown.
     */
    public Map<String, Object> awaitTerminal(String id, Duration timeout) {
        AtomicReference<Map<String, Object>> last = new AtomicReference<>(Map.of("id", id, "state", "unknown"));
        Await.holds(timeout, Duration.ofMillis(200), () -> {
            Reply reply = get(id); // a connection error (API restarting) counts as "not yet"
            if (reply.status() == 200) {
                last.set(reply.body());
            }
            return TERMINAL.contains(String.valueOf(last.get().get("state")));
        });
        return last.get();
    }

    private HttpRequest.Builder post(String path, Object body) {
        try {
            return request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(requestTimeout);
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Status, headers and the raw body of one answer; {@link #body()} parses a JSON object. */
    public static final class Reply {
        private final int status;
        private final Map<String, List<String>> headers;
        private final String text;

        Reply(int status, Map<String, List<String>> headers, String text) {
            this.status = status;
            this.headers = headers;
            this.text = text;
        }

        public int status() {
            return status;
        }

        public boolean ok() {
            return status / 100 == 2;
        }

        public String text() {
            return text;
        }

        /** First value of a header (case-insensitive), or null. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                    return entry.getValue().get(0);
                }
            }
            return null;
        }

        /** The body as a JSON object; an empty map when it is empty or not an object. */
        public Map<String, Object> body() {
            if (text == null || text.isBlank()) {
                return Map.of();
            }
            try {
                return JSON.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() { });
            } catch (IOException e) {
                return Map.of();
            }
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }
}
