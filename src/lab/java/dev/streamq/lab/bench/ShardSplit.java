package dev.streamq.lab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the Redis work of a cluster run split over its shards: each shard master's CPU as a share
 * of all the masters' CPU, and whether every share is within {@code tolerance} (relative) of an
 * even split. Queues are spread evenly over the shards by name, so an uneven split means a
 * shard does work the others do not (the registry lives in one slot, and so in one shard), and
 * then adding shards does not add capacity in proportion.
 */
record ShardSplit(List<Double> masterCpu, double tolerance) {

    /** The bar: every shard within ±20 % of 1/shards. */
    static final double TOLERANCE = 0.20;

    ShardSplit {
        if (masterCpu.isEmpty()) {
            throw new IllegalArgumentException("no shard to split over");
        }
        masterCpu = List.copyOf(masterCpu);
    }

    static ShardSplit of(List<Double> masterCpu) {
        return new ShardSplit(masterCpu, TOLERANCE);
    }

    /** Each shard's share of the masters' total, in shard order; NaN for all of them when the total is not positive. */
    List<Double> shares() {
        double total = masterCpu.stream().mapToDouble(Double::doubleValue).sum();
        List<Double> shares = new ArrayList<>();
        masterCpu.forEach(c -> shares.add(total > 0 ? c / total : Double.NaN));
        return shares;
    }

    /** True when every share lies within tolerance of 1/shards (a NaN share, unknown CPU, is never even). */
    boolean even() {
        double fair = 1.0 / masterCpu.size();
        return shares().stream().allMatch(s -> !s.isNaN() && Math.abs(s - fair) <= tolerance * fair + 1e-12);
    }

    /** The share farthest from even, relative to even: +0.25 means 25 % above 1/shards. */
    double worstDeviation() {
        double fair = 1.0 / masterCpu.size();
        return shares().stream().mapToDouble(s -> (s - fair) / fair).reduce(0, (a, b) -> Math.abs(b) > Math.abs(a) ? b : a);
    }

    /** "33.1 % / 35.0 % / 31.9 % of master CPU: even (worst +5 % of 1/3, bar ±20 %)". */
    String verdict() {
        List<String> pct = new ArrayList<>();
        shares().forEach(s -> pct.add(String.format(Locale.ROOT, "%.1f %%", s * 100)));
        return String.format(Locale.ROOT, "%s of master CPU: %s (worst %+.0f %% of 1/%d, bar ±%.0f %%)", String.join(" / ", pct),
                even() ? "even" : "NOT even", worstDeviation() * 100, masterCpu.size(), tolerance * 100);
    }
}
