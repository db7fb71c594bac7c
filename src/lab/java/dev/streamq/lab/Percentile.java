package dev.streamq.lab;

import java.util.List;

/** The nearest-rank percentile the drills and the bench report. */
public final class Percentile {

    private Percentile() {
    }

    /** The p-th percentile of an ascending list, by nearest rank; -1 for an empty list. */
    public static long of(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
