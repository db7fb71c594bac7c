package dev.streamq.lab.bench;

import dev.streamq.lab.OptionPairs;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code lab bench [--fill N] [--e2e-rate R] ...}: the knobs of one benchmark run. */
final class BenchOptions {
    int fill = 50_000;
    int drainWarmup = 50_000;
    double e2eRate = 500;
    int e2eSeconds = 20;
    int submitSeconds = 10;
    int warmupSeconds = 5;
    int singleConnections = 64;
    int batchConnections = 8;
    List<Double> ramp = List.of(1000.0, 2000.0, 3000.0, 3500.0, 4000.0, 5000.0);

    static BenchOptions parse(List<String> args) {
        BenchOptions o = new BenchOptions();
        OptionPairs.forEach(args, Set.of(), (a, v) -> {
            switch (a) {
                case "--fill" -> o.fill = Integer.parseInt(v);
                case "--drain-warmup" -> o.drainWarmup = Integer.parseInt(v);
                case "--e2e-rate" -> o.e2eRate = Double.parseDouble(v);
                case "--e2e-seconds" -> o.e2eSeconds = Integer.parseInt(v);
                case "--submit-seconds" -> o.submitSeconds = Integer.parseInt(v);
                case "--warmup-seconds" -> o.warmupSeconds = Integer.parseInt(v);
                case "--connections" -> o.singleConnections = Integer.parseInt(v);
                case "--batch-connections" -> o.batchConnections = Integer.parseInt(v);
                case "--ramp" -> o.ramp = parseRamp(v);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' for bench");
            }
        });
        return o;
    }

    private static List<Double> parseRamp(String v) {
        List<Double> rates = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                rates.add(Double.parseDouble(s.trim()));
            }
        }
        return rates;
    }
}
