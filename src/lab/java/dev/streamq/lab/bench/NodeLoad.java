package dev.streamq.lab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.lab.NodeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load client of the side-by-side bench: src/lab/node/load.js, one node process per run and
 * the same code for both sides (streamq over HTTP with a keep-alive agent of 50 sockets, BullMQ
 * through its Queue), so the client's own cost is alike and is reported per job.
 */
final class NodeLoad {

    static final String CLIENT = "Node " + nodeVersion() + " load.js";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);

    /** What load.js printed: jobs sent, accepted (ok) and refused, its time span and its own CPU. */
    record Result(long jobs, long ok, long errors, long firstSubmitMillis, long lastAnswerMillis, long cpuMicros,
            String firstError) {

        /** Parses load.js's {@code RESULT {...}} line. */
        static Result parse(String line) {
            if (!line.startsWith("RESULT ")) {
                throw new IllegalArgumentException("not a load.js RESULT line: " + line);
            }
            try {
                JsonNode j = new ObjectMapper().readTree(line.substring("RESULT ".length()));
                for (String field : List.of("jobs", "ok", "errors", "firstSubmitMillis", "lastAnswerMillis", "cpuMicros")) {
                    if (!j.path(field).isIntegralNumber()) {
                        throw new IllegalArgumentException("load.js RESULT without an integer " + field + ": " + line);
                    }
                }
                return new Result(j.get("jobs").asLong(), j.get("ok").asLong(), j.get("errors").asLong(),
                        j.get("firstSubmitMillis").asLong(), j.get("lastAnswerMillis").asLong(), j.get("cpuMicros").asLong(),
                        j.path("firstError").isTextual() ? j.get("firstError").asText() : null);
            } catch (IOException e) {
                throw new IllegalArgumentException("load.js RESULT is not JSON: " + line, e);
            }
        }
    }

    private final Path dir;
    private int runs;

    NodeLoad(Path dir) {
        this.dir = dir;
    }

    /** {@code jobs} jobs, {@code batch} per request, {@code inFlight} requests at a time. */
    Result closedLoop(List<String> target, String queue, long jobs, int batch, int inFlight) {
        return run(target, queue, List.of("--jobs", String.valueOf(jobs), "--batch", String.valueOf(batch),
                "--in-flight", String.valueOf(inFlight)));
    }

    /** One single submit every 1/rate s for {@code seconds}; each accepted job's id and submit time go to {@code submits}. */
    Result paced(List<String> target, String queue, int rate, int seconds, Path submits) {
        return run(target, queue, List.of("--rate", String.valueOf(rate), "--seconds", String.valueOf(seconds),
                "--submits", submits.toAbsolutePath().toString()));
    }

    private Result run(List<String> target, String queue, List<String> mode) {
        List<String> args = new ArrayList<>(target);
        args.addAll(List.of("--queue", queue));
        args.addAll(mode);
        String name = "load-" + (++runs) + "-" + queue;
        NodeProcess client = NodeProcess.start(name, "load.js", args, dir.resolve(name + ".log"));
        try {
            return Result.parse(client.awaitLine("RESULT ", RUN_TIMEOUT));
        } finally {
            client.stop();
        }
    }

    /** job id -> submit time (epoch ms) from a paced run's submits file. */
    static Map<String, Long> submits(Path file) {
        Map<String, Long> submits = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(" ");
                if (f.length == 2) {
                    submits.put(f[0], Long.parseLong(f[1]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return submits;
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return v;
        } catch (IOException e) {
            return "(node not found)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
