package dev.streamq.lab.drill;

import java.util.ArrayList;
import java.util.List;

/** How long producers went without service, and when the service was back to its pre-fault pace. */
final class Outage {

    private Outage() {
    }

    /**
     * Longest stretch without a 2xx answer that is an outage, not just a quiet moment: a gap
     * between two consecutive 2xx answers (or load start/stop) that holds a failed answer or
     * lasts over 1 s.
     */
    static long downtime(List<Long> okTimes, List<Long> failTimes, long loadStart, long loadStop) {
        List<Long> bounds = new ArrayList<>();
        bounds.add(loadStart);
        bounds.addAll(okTimes);
        bounds.add(loadStop);
        bounds.sort(null);
        long worst = 0;
        int f = 0;
        List<Long> fails = new ArrayList<>(failTimes);
        fails.sort(null);
        for (int i = 1; i < bounds.size(); i++) {
            long a = bounds.get(i - 1);
            long b = bounds.get(i);
            boolean hasFail = false;
            while (f < fails.size() && fails.get(f) <= b) {
                if (fails.get(f) >= a) {
                    hasFail = true;
                }
                f++;
            }
            long gap = b - a;
            if ((hasFail || gap > 1000) && gap > worst) {
                worst = gap;
            }
        }
        return worst;
    }

    /**
     * Seconds from the fault until (a) a 2xx came back and (b) acks and completions per second
     * are back to at least 80 % of their pre-fault rate with no failed answer, for 3 seconds in a
     * row. -1 when that never happened before the load stopped.
     */
    static double recovery(List<Long> okTimes, List<Long> failTimes, List<Long> completions, long loadStart,
            long loadStop, long fault) {
        long firstOkAfter = -1;
        for (long t : okTimes) {
            if (t >= fault) {
                firstOkAfter = t;
                break;
            }
        }
        if (firstOkAfter < 0) {
            return -1;
        }
        double preSeconds = Math.max(1, (fault - loadStart - 1000) / 1000.0);
        double preAck = countIn(okTimes, loadStart + 1000, fault) / preSeconds;
        double preDone = countIn(completions, loadStart + 1000, fault) / preSeconds;
        int buckets = (int) ((loadStop - fault) / 1000);
        boolean[] good = new boolean[buckets];
        for (int k = 0; k < buckets; k++) {
            long a = fault + k * 1000L;
            long b = a + 1000;
            good[k] = countIn(okTimes, a, b) >= 0.8 * preAck && countIn(completions, a, b) >= 0.8 * preDone
                    && countIn(failTimes, a, b) == 0;
        }
        int firstBad = -1;
        for (int k = 0; k < buckets; k++) {
            if (!good[k]) {
                firstBad = k;
                break;
            }
        }
        if (firstBad < 0) {
            return round2((firstOkAfter - fault) / 1000.0);
        }
        for (int k = firstBad + 1; k < buckets; k++) {
            boolean run = true;
            for (int j = k; j < Math.min(buckets, k + 3); j++) {
                run &= good[j];
            }
            if (run) {
                return round2(Math.max(k, (firstOkAfter - fault) / 1000.0));
            }
        }
        return -1;
    }

    private static int countIn(List<Long> times, long from, long to) {
        int n = 0;
        for (long t : times) {
            if (t >= from && t < to) {
                n++;
            }
        }
        return n;
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
