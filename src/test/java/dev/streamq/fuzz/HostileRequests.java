package dev.streamq.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded, bounded generator of requests a careless or hostile client sends: wrong JSON types,
 * malformed and oversized bodies, odd encodings, repeated and empty headers, crafted ids and
 * query parameters, unknown methods. The same seed makes the same requests.
 *
 * <p>Every request is valid HTTP/1.1 (percent-encoded paths, no control characters in header
 * values): what is not (a raw "{" in a path, a control character in a header) is refused by
 * Vert.x's HTTP codec with an empty 400 before any application code runs, and Quarkus offers no
 * hook to give that answer a body (docs/design.md).
 */
final class HostileRequests {

    /** One request: what {@link RawHttp} sends, and a one-line description for a failure message. */
    record Request(String method, String target, List<String[]> headers, byte[] body, boolean declaredLength, String what) {

        byte[] bytes(int port) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (String[] header : headers) {
                out.writeBytes((header[0] + ": " + header[1] + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            if (declaredLength) {
                out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(body);
            return out.toByteArray();
        }
    }

    private static final String[] QUEUES = {"fuzz", "fuzz-2", "Fuzz", "fuzz%20q", "%00", "..", "%2e%2e", "q".repeat(65),
        "%C3%28", "%E2%82%AC", "fuzz;x=1", "*", "%7Bfuzz%7D", "fuzz%7Bx%7D", "-", "a".repeat(4000), "%25", "fuzz%2Fjobs"};
    private static final String[] IDS = {"fuzz~0190a7a4-8c1a-7000-8000-000000000000", "fuzz~not-a-uuid", "~",
        "fuzz~../../etc", "%00", "fuzz~0190a7a4-8c1a-7000-8000-000000000000%0d%0a", "*", "x".repeat(3000),
        "Fuzz~0190a7a4-8c1a-7000-8000-000000000000"};
    private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=UTF-8", "text/plain",
        "application/json; charset=latin1", "application/xml", "multipart/form-data; boundary=x", "", "application/*",
        "application/json, text/plain"};
    private static final String[] KEYS = {"", " ", "\t", "k".repeat(201), "key\u00e9", "a b", "ok-key", "k\"}\\"};

    private final Random random;

    HostileRequests(long seed) {
        this.random = new Random(seed);
    }

    Request next() {
        return switch (random.nextInt(8)) {
            case 0 -> submission();
            case 1 -> batch();
            case 2 -> malformedBody();
            case 3 -> jobRead();
            case 4 -> deadLetterPage();
            case 5 -> oddMethod();
            case 6 -> oddHeaders();
            default -> oversized();
        };
    }

    private Request submission() {
        String body = "{" + String.join(",", fields()) + "}";
        return post("/queues/" + pick(QUEUES) + "/jobs", body, "submission " + body);
    }

    private List<String> fields() {
        List<String> out = new ArrayList<>();
        if (random.nextInt(5) > 0) {
            out.add("\"type\":" + pick(new String[] {"\"noop\"", "123", "true", "{}", "[\"noop\"]", "null", "\"\"",
                "\"" + "t".repeat(129) + "\"", "\"no op\"", "\"n\\u0000op\"", "1e999", "\"\u00fcber\""}));
        }
        if (random.nextBoolean()) {
            out.add("\"maxAttempts\":" + pick(new String[] {"\"abc\"", "\"5\"", "2.7", "-1", "0", "101", "1e30",
                "99999999999999999999", "{}", "[]", "true", "null", "5"}));
        }
        if (random.nextBoolean()) {
            out.add("\"runAt\":" + pick(new String[] {"\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"",
                "\"tomorrow\"", "1700000000", "{}", "\"2030-01-01T00:00:00\"", "\"1969-12-31T23:59:59Z\"",
                "\"2030-02-30T00:00:00Z\"", "\"\"", "null"}));
        }
        if (random.nextBoolean()) {
            out.add("\"payload\":" + pick(new String[] {"{}", "[]", "\"text\"", "42", "null", deep(random.nextInt(3000)),
                "{\"a\":\"\\ud800\"}", "{\"a\":1,\"a\":2}", "{\"" + "k".repeat(10_000) + "\":1}"}));
        }
        if (random.nextInt(4) == 0) {
            out.add("\"" + pick(new String[] {"unknown", "idempotencyKey", "__proto__", ""}) + "\":" + pick(new String[] {"1", "{}", "\"x\""}));
        }
        return out;
    }

    private Request batch() {
        String jobs = pick(new String[] {"{}", "[]", "null", "\"x\"", "[null]", "[1,2]", "[{\"type\":\"noop\"},{}]",
            "[{\"type\":\"noop\",\"idempotencyKey\":{}}]", "[{\"type\":\"noop\",\"idempotencyKey\":\"\"}]",
            "[" + "{\"type\":\"noop\"},".repeat(1000) + "{\"type\":\"noop\"}]", "[{" + String.join(",", fields()) + "}]"});
        String body = random.nextInt(6) == 0 ? jobs : "{\"jobs\":" + jobs + "}";
        return post("/queues/" + pick(QUEUES) + "/jobs/batch", body, "batch " + abbreviate(body));
    }

    private Request malformedBody() {
        byte[][] bodies = {"{\"type\":\"noop\",".getBytes(StandardCharsets.UTF_8), "{\"type\":\"noop\"} trailing".getBytes(StandardCharsets.UTF_8),
            {(byte) 0xff, (byte) 0xfe, '{', '}'}, {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'},
            "\ufeff{\"type\":\"noop\"}".getBytes(StandardCharsets.UTF_8), "{\"type\":NaN}".getBytes(StandardCharsets.UTF_8),
            new byte[0], "[".repeat(5000).getBytes(StandardCharsets.UTF_8), "{'type':'noop'}".getBytes(StandardCharsets.UTF_8)};
        byte[] body = bodies[random.nextInt(bodies.length)];
        String path = random.nextBoolean() ? "/queues/fuzz/jobs" : "/queues/fuzz/jobs/batch";
        return new Request("POST", path, headers("Content-Type", "application/json"), body, true,
                "malformed body on " + path + ": " + abbreviate(new String(body, StandardCharsets.ISO_8859_1)));
    }

    private Request jobRead() {
        String id = pick(IDS);
        String target = random.nextBoolean() ? "/jobs/" + id : "/jobs/" + id + "/redrive";
        String method = target.endsWith("redrive") ? "POST" : "GET";
        return new Request(method, target, List.of(), new byte[0], method.equals("POST"), method + " " + abbreviate(target));
    }

    private Request deadLetterPage() {
        StringBuilder query = new StringBuilder();
        int params = random.nextInt(4);
        for (int i = 0; i < params; i++) {
            query.append(i == 0 ? "?" : "&");
            query.append(random.nextBoolean() ? "limit=" + pick(new String[] {"abc", "-1", "0", "1001", "1.5", "", "99999999999",
                "%20", "10", "1e3"}) : "after=" + pick(new String[] {"zzz", "99999999999999999999-0", "1-99999999999999999999",
                "18446744073709551615-18446744073709551615", "-", "+", "0-0", "1700000000000-0", "(1-0", "%00"}));
        }
        String target = random.nextInt(4) == 0 ? "/queues/" + pick(QUEUES) : "/queues/" + pick(QUEUES) + "/dead" + query;
        return new Request("GET", target, List.of(), new byte[0], false, "GET " + abbreviate(target));
    }

    private Request oddMethod() {
        String method = pick(new String[] {"PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "GET"});
        String target = pick(new String[] {"/queues/fuzz/jobs", "/queues", "/jobs", "/", "/queues/fuzz/dead/redrive",
            "/nothing/here", "/queues/fuzz/jobs/batch/extra", "//queues//fuzz", "/queues/fuzz/jobs?x=" + "y".repeat(9000)});
        return new Request(method, target, List.of(), new byte[0], !method.equals("GET"), method + " " + abbreviate(target));
    }

    private Request oddHeaders() {
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Content-Type", pick(CONTENT_TYPES)});
        int keys = random.nextInt(3);
        for (int i = 0; i < keys; i++) {
            headers.add(new String[] {"Idempotency-Key", pick(KEYS)});
        }
        if (random.nextBoolean()) {
            headers.add(new String[] {"Accept", pick(new String[] {"text/html", "application/xml", "*/*", "application/json;q=0"})});
        }
        if (random.nextInt(4) == 0) {
            headers.add(new String[] {"Content-Type", pick(CONTENT_TYPES)});
        }
        byte[] body = "{\"type\":\"noop\"}".getBytes(StandardCharsets.UTF_8);
        StringBuilder what = new StringBuilder("POST /queues/fuzz/jobs with");
        headers.forEach(h -> what.append(' ').append(h[0]).append('=').append(abbreviate(h[1])));
        return new Request("POST", "/queues/fuzz/jobs", headers, body, true, what.toString());
    }

    private Request oversized() {
        if (random.nextInt(3) == 0) {
            // no Content-Length to check up front: the payload limit must still answer with a problem
            String payload = "{\"type\":\"noop\",\"payload\":{\"blob\":\"" + "b".repeat(1024 * 1024 + 10) + "\"}}";
            byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream chunked = new ByteArrayOutputStream();
            for (int at = 0; at < bytes.length; at += 65536) {
                int length = Math.min(65536, bytes.length - at);
                chunked.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                chunked.write(bytes, at, length);
                chunked.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            return new Request("POST", "/queues/fuzz/jobs", headers("Content-Type", "application/json",
                    "Transfer-Encoding", "chunked"), chunked.toByteArray(), false, "chunked payload over 1 MiB");
        }
        if (random.nextBoolean()) {
            // declared over the body limit: refused before the body is read, so only a little is sent
            return new Request("POST", "/queues/fuzz/jobs", headers("Content-Type", "application/json",
                    "Content-Length", Long.toString(64L * 1024 * 1024)), "{\"type\":".getBytes(StandardCharsets.UTF_8), false,
                    "Content-Length of 64 MiB");
        }
        String payload = "{\"type\":\"noop\",\"payload\":{\"blob\":\"" + "a".repeat(1024 * 1024 + random.nextInt(1024)) + "\"}}";
        return post("/queues/fuzz/jobs", payload, "payload over 1 MiB");
    }

    private Request post(String target, String body, String what) {
        return new Request("POST", target, headers("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8),
                true, "POST " + abbreviate(target) + ": " + abbreviate(what));
    }

    private static List<String[]> headers(String... pairs) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            out.add(new String[] {pairs[i], pairs[i + 1]});
        }
        return out;
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String deep(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "...(" + text.length() + " chars)" : text;
    }
}
