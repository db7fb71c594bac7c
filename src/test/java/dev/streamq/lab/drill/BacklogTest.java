package dev.streamq.lab.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BacklogTest {

    /** Steady load before the fault: one job acked every 100 ms, started 60 ms later. */
    private static List<long[]> steady(long from, long to) {
        List<long[]> jobs = new ArrayList<>();
        for (long t = from; t < to; t += 100) {
            jobs.add(new long[] {t, t + 60});
        }
        return jobs;
    }

    @Test
    void theBurstAfterARecoveryEndsWhenTheWorkersHaveReachedItsLastJob() {
        List<long[]> jobs = steady(0, 5000);
        // fault at 5000, recovery at 8000: 300 held submits acked at once, started 10 ms apart
        for (int i = 0; i < 300; i++) {
            jobs.add(new long[] {8000, 8000 + 10L * i});
        }
        Backlog backlog = new Backlog(jobs);
        int normal = backlog.normal(0, 5000);

        assertEquals(1, normal, "one job at most waits in the steady load");
        assertEquals(299, backlog.waitingAt(8000), "the first of the burst starts at once");
        // the last of the burst starts at 8000 + 2990: at 8000 + 2950 four still wait, at the next count none
        assertEquals(4, backlog.waitingAt(8000 + 2950));
        assertEquals(8000 + 3000, backlog.drainedAt(5000, 20_000, normal));
    }

    @Test
    void aFaultThatLeftNoBacklogDoesNotWidenTheWindow() {
        Backlog backlog = new Backlog(steady(0, 10_000));
        int normal = backlog.normal(0, 5000);

        assertEquals(5000, backlog.drainedAt(5000, 10_000, normal));
    }

    @Test
    void aBacklogThatNeverDrainsLastsUntilTheLoadStops() {
        List<long[]> jobs = steady(0, 5000);
        for (int i = 0; i < 50; i++) {
            jobs.add(new long[] {6000 + i, Long.MAX_VALUE});
        }
        Backlog backlog = new Backlog(jobs);

        assertEquals(9000, backlog.drainedAt(5000, 9000, backlog.normal(0, 5000)));
    }
}
