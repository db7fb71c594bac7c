package dev.streamq.lab.bench;

import dev.streamq.lab.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bench's HTTP load client: {@code wrk}, a C client, because a Java client would burn the
 * shared cores it measures. Scripts and outputs are kept under the bench's wrk/ directory.
 */
final class Wrk {

    private static final Pattern WRK_STAT = Pattern.compile("WRKSTAT (.*)");
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s");

    private final Path dir;
    private final PrintStream out;

    Wrk(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
    }

    static void require() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Paths.get(d, "wrk"))) {
                return;
            }
        }
        throw new IllegalStateException("wrk not found: install it (apt-get install wrk); deploy/local/lab bench does");
    }

    /** A wrk script POSTing {@code body}; its done() prints one WRKSTAT line with the counters. */
    Path script(String name, String body) throws IOException {
        if (body.contains("'") || body.contains("\\")) {
            throw new IllegalArgumentException("body must not contain quotes or backslashes");
        }
        String lua = String.join("\n",
                "wrk.method = \"POST\"",
                "wrk.headers[\"Content-Type\"] = \"application/json\"",
                "wrk.body = '" + body + "'",
                "done = function(summary, latency, requests)",
                "  local e = summary.errors",
                "  io.write(string.format(\"WRKSTAT requests=%.0f duration_us=%.0f status=%.0f connect=%.0f read=%.0f"
                        + " write=%.0f timeout=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f\\n\",",
                "    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,",
                "    latency:percentile(50), latency:percentile(99), latency.max))",
                "end", "");
        Path file = dir.resolve("wrk").resolve(name + ".lua");
        Files.createDirectories(file.getParent());
        Files.writeString(file, lua);
        return file;
    }

    /** wrk's counters; {@code status} = responses with status > 399 (wrk's "Non-2xx or 3xx responses"). */
    record Result(long requests, double seconds, long status, long socketErrors, double p50ms, double p99ms,
            double maxMs, double cpuSeconds, int connections) {
        long ok() {
            return requests - status;
        }

        double okPerSecond(int jobsPerRequest) {
            return ok() * jobsPerRequest / seconds;
        }

        String describe() {
            return String.format(Locale.ROOT, "%d requests in %.2f s, %d non-2xx, %d socket errors, %d connections,"
                    + " latency p50 %.2f p99 %.2f max %.1f ms, wrk cpu %.2f s", requests, seconds, status, socketErrors,
                    connections, p50ms, p99ms, maxMs, cpuSeconds);
        }
    }

    /**
     * Runs wrk under bash so that bash's {@code times} reports wrk's own CPU (children's user+sys)
     * once it has exited. Output is kept in wrk/NAME.txt.
     */
    Result run(String name, ServiceProcess p, String path, Path script, int threads, int connections, int seconds)
            throws IOException, InterruptedException {
        List<String> cmd = List.of("bash", "-c", "wrk \"$@\"; rc=$?; times; exit $rc", "wrk",
                "-t" + threads, "-c" + connections, "-d" + seconds + "s", "-s", script.toString(), p.baseUrl() + path);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process proc = pb.start();
        String text = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!proc.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new IllegalStateException("wrk did not finish");
        }
        Path file = dir.resolve("wrk").resolve(name + ".txt");
        Files.writeString(file, String.join(" ", cmd) + "\n" + text);
        Matcher m = WRK_STAT.matcher(text);
        if (proc.exitValue() != 0 || !m.find()) {
            throw new IllegalStateException("wrk failed (exit " + proc.exitValue() + "): " + text);
        }
        Map<String, Double> v = new HashMap<>();
        for (String kv : m.group(1).trim().split("\\s+")) {
            String[] parts = kv.split("=", 2);
            v.put(parts[0], Double.parseDouble(parts[1]));
        }
        double cpu = 0;
        Matcher t = TIMES.matcher(text);
        while (t.find()) { // the last line of `times` is the children's (wrk's) user and system time
            cpu = Long.parseLong(t.group(1)) * 60 + Double.parseDouble(t.group(2))
                    + Long.parseLong(t.group(3)) * 60 + Double.parseDouble(t.group(4));
        }
        Result r = new Result(v.get("requests").longValue(), v.get("duration_us") / 1e6, v.get("status").longValue(),
                (long) (v.get("connect") + v.get("read") + v.get("write") + v.get("timeout")),
                v.get("p50_us") / 1000, v.get("p99_us") / 1000, v.get("max_us") / 1000, cpu, connections);
        out.println("bench: wrk " + name + ": " + r.describe());
        return r;
    }
}
