package dev.streamq.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.streamq.config.StreamqConfig;
import dev.streamq.queue.NewJob;
import dev.streamq.queue.QueueName;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Turns what a producer sent into validated jobs, or refuses it naming the field; it never touches Redis. */
@ApplicationScoped
public class Submissions {

    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");
    private static final Instant LATEST_RUN_AT = Instant.parse("9999-12-31T23:59:59.999Z");

    private final StreamqConfig.Api limits;
    private final ObjectMapper json;
    private final ObjectWriter sorted;

    Submissions(StreamqConfig config, ObjectMapper json) {
        this.limits = config.api();
        this.json = json;
        this.sorted = json.writer().with(JsonNodeFeature.WRITE_PROPERTIES_SORTED);
    }

    public QueueName queue(String name) {
        if (!QueueName.isValid(name)) {
            throw ProblemException.badField("queue", "queue name must match [a-z0-9][a-z0-9._-]{0,63}");
        }
        return new QueueName(name);
    }

    /**
     * @param idempotencyKeys every Idempotency-Key header value sent: none, or exactly one; an
     *     empty or blank one is refused rather than read as "no key" (which would make two jobs)
     */
    public NewJob one(JobRequest request, List<String> idempotencyKeys) {
        if (idempotencyKeys != null && idempotencyKeys.size() > 1) {
            throw ProblemException.badField("Idempotency-Key", "send at most one Idempotency-Key header");
        }
        if (request == null) {
            throw ProblemException.badField("body", "a JSON job object is required");
        }
        String key = idempotencyKeys == null || idempotencyKeys.isEmpty() ? null : idempotencyKeys.get(0);
        return job(request, key, "", "Idempotency-Key");
    }

    public List<NewJob> batch(BatchRequest request) {
        if (request == null || request.jobs() == null || request.jobs().isEmpty()) {
            throw ProblemException.badField("jobs", "jobs must be a non-empty array");
        }
        if (request.jobs().size() > limits.maxBatchSize()) {
            throw new ProblemException(413, "jobs", "a batch holds at most " + limits.maxBatchSize() + " jobs, got "
                    + request.jobs().size());
        }
        List<NewJob> jobs = new ArrayList<>(request.jobs().size());
        for (int i = 0; i < request.jobs().size(); i++) {
            String at = "jobs[" + i + "].";
            JobRequest r = request.jobs().get(i);
            if (r == null) {
                throw ProblemException.badField("jobs[" + i + "]", "a job object is required");
            }
            jobs.add(job(r, r.idempotencyKey(), at, at + "idempotencyKey"));
        }
        return jobs;
    }

    private NewJob job(JobRequest r, String idempotencyKey, String at, String keyField) {
        if (r.type() == null || !TYPE.matcher(r.type()).matches()) {
            throw ProblemException.badField(at + "type",
                    "type is required: 1 to 128 characters of letters, digits and . _ : - starting with a letter or digit");
        }
        Payload payload = payload(r.payload(), at + "payload", idempotencyKey != null);
        int maxAttempts = r.maxAttempts() == null ? limits.defaultMaxAttempts() : r.maxAttempts();
        if (maxAttempts < 1 || maxAttempts > limits.maxAttemptsLimit()) {
            throw ProblemException.badField(at + "maxAttempts",
                    "maxAttempts must be between 1 and " + limits.maxAttemptsLimit());
        }
        long runAt = runAt(r.runAt(), at + "runAt");
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw ProblemException.badField(keyField, "an idempotency key is 1 to 200 visible ASCII characters");
        }
        return new NewJob(r.type(), payload.text(), payload.canonical(), maxAttempts, runAt, idempotencyKey);
    }

    /** The payload's text, and its canonical form when a key's fingerprint will read it (null otherwise). */
    private Payload payload(JsonNode payload, String field, boolean keyed) {
        JsonNode tree = payload == null || payload.isNull() ? json.createObjectNode() : payload;
        String text;
        String canonical;
        try {
            text = json.writeValueAsString(tree);
            canonical = keyed ? sorted.writeValueAsString(tree) : null;
        } catch (JsonProcessingException e) {
            throw ProblemException.badField(field, "payload is not serializable JSON");
        }
        // A char is at most 3 bytes of UTF-8, so only a text past a third of the limit is
        // encoded to be measured: the usual payload is not copied just to count it.
        if (text.length() > limits.maxPayloadBytes() / 3) {
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > limits.maxPayloadBytes()) {
                throw new ProblemException(413, field, "payload is " + bytes + " bytes; the limit is " + limits.maxPayloadBytes());
            }
        }
        return new Payload(text, canonical);
    }

    private record Payload(String text, String canonical) {}

    /**
     * Epoch ms of runAt; 0 when absent. Bounded to years 1970..9999 so that any accepted time
     * has an epoch-ms value (±999999999 years overflows a long) that Lua reads exactly.
     */
    private static long runAt(String runAt, String field) {
        if (runAt == null || runAt.isBlank()) {
            return 0;
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(runAt).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badField(field, "runAt must be an ISO-8601 date-time with an offset, e.g. 2026-01-31T12:00:00Z");
        }
        if (at.isBefore(Instant.EPOCH) || at.isAfter(LATEST_RUN_AT)) {
            throw ProblemException.badField(field, "runAt must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
        }
        return at.toEpochMilli();
    }
}
