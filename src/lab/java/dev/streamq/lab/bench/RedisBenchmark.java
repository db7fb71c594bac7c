package dev.streamq.lab.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the bench's Redis can do on its own: raw XADD with redis-benchmark, 50 clients, no pipelining. */
final class RedisBenchmark {

    private static final Pattern RPS = Pattern.compile("([0-9]+(?:\\.[0-9]+)?) requests per second");

    private RedisBenchmark() {
    }

    static double rawXadd(int port, PrintStream out) throws IOException, InterruptedException {
        List<String> cmd = List.of("redis-benchmark", "-p", String.valueOf(port), "-c", "50", "-P", "1", "-n", "100000",
                "-q", "XADD", "streamq:bench", "*", "f", "v");
        out.println("bench: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("redis-benchmark did not finish in 120 s");
        }
        Matcher m = RPS.matcher(text);
        double rps = -1;
        while (m.find()) {
            rps = Double.parseDouble(m.group(1));
        }
        if (rps < 0) {
            throw new IllegalStateException("no 'requests per second' in redis-benchmark output: " + text);
        }
        Process del = new ProcessBuilder("redis-cli", "-p", String.valueOf(port), "DEL", "streamq:bench").start();
        del.waitFor(10, TimeUnit.SECONDS);
        return rps;
    }
}
