package dev.streamq.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pure parts of {@code lab bench --cluster}: the verdict on how the masters' CPU split over
 * the shards, the arithmetic from a master's CPU per job to shards for a target rate, and the
 * options (whose printed command must run the same bench again).
 */
class ClusterBenchTest {

    @Test
    void sharesWithinTwentyPercentOfAThirdAreEven() {
        // 0.28 / 0.33 / 0.39 of the total: the farthest, 0.39, is +17 % of 1/3.
        ShardSplit split = ShardSplit.of(List.of(28.0, 33.0, 39.0));
        assertTrue(split.even(), split.verdict());
        assertEquals(0.39, split.shares().get(2), 1e-9);
        assertEquals(0.17, split.worstDeviation(), 1e-9);
        assertTrue(split.verdict().startsWith("28.0 % / 33.0 % / 39.0 % of master CPU: even (worst +17 % of 1/3"),
                split.verdict());
    }

    @Test
    void aShardDoingMoreThanItsShareIsNotEven() {
        // The registry's shard doing extra work: 0.42 of the total is +26 % of 1/3.
        ShardSplit split = ShardSplit.of(List.of(42.0, 29.0, 29.0));
        assertFalse(split.even(), split.verdict());
        assertEquals(0.26, split.worstDeviation(), 1e-9);
        assertTrue(split.verdict().contains("NOT even"), split.verdict());
    }

    @Test
    void anIdleShardIsNotEvenEither() {
        // Too little is as uneven as too much: a shard without its queues' work scales nothing.
        ShardSplit split = ShardSplit.of(List.of(40.0, 40.0, 20.0));
        assertFalse(split.even());
        assertEquals(-0.4, split.worstDeviation(), 1e-9);
    }

    @Test
    void unknownMasterCpuIsNeverEven() {
        // A master whose /proc could not be read (NaN) or no CPU at all must not pass the bar.
        assertFalse(ShardSplit.of(List.of(30.0, Double.NaN, 30.0)).even());
        assertFalse(ShardSplit.of(List.of(0.0, 0.0, 0.0)).even());
        assertThrows(IllegalArgumentException.class, () -> ShardSplit.of(List.of()));
    }

    @Test
    void shardsForATargetRateFollowFromTheMasterCpuPerJobAtThePlannedUtilisation() {
        // 50 µs a job: 20,000 jobs/s on a full core, 14,000 at 70 %; 100,000 jobs/s needs 8 shards (7.14 rounded up).
        ShardCapacity capacity = new ShardCapacity(50, 20, 0.7);
        assertEquals(20_000, capacity.jobsPerSecondAtFullCore(), 1e-6);
        assertEquals(14_000, capacity.jobsPerSecondPlanned(), 1e-6);
        assertEquals(8, capacity.shardsFor(100_000));
        // A replica applying those 14,000 jobs/s at 20 µs each uses 0.28 of a core.
        assertEquals(0.28, capacity.replicaCoresPerShard(), 1e-9);
        String line = capacity.describe(100_000);
        assertTrue(line.contains("20,000 jobs/s per shard at 100 % of a core, 14,000 at 70 %"), line);
        assertTrue(line.contains("100,000 jobs/s needs 8 shards"), line);
        assertTrue(line.contains("2.2 cores for one replica per shard"), line);
    }

    @Test
    void aTargetThatFitsExactlyNeedsNoExtraShardAndAnySmallTargetNeedsOne() {
        ShardCapacity capacity = new ShardCapacity(100, 30, 0.5); // 5,000 jobs/s per shard as planned
        assertEquals(4, capacity.shardsFor(20_000));
        assertEquals(5, capacity.shardsFor(20_001));
        assertEquals(1, capacity.shardsFor(1));
    }

    @Test
    void capacityRefusesFiguresThatWouldPlanNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new ShardCapacity(0, 10, 0.7));
        assertThrows(IllegalArgumentException.class, () -> new ShardCapacity(Double.NaN, 10, 0.7));
        assertThrows(IllegalArgumentException.class, () -> new ShardCapacity(50, 10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new ShardCapacity(50, 10, 0));
    }

    @Test
    void defaultsAreTheIssuesBench() {
        ClusterBenchOptions o = ClusterBenchOptions.parse(List.of("--cluster"));
        assertEquals(2, o.rounds);
        assertEquals(500, o.rate);
        assertEquals(20, o.seconds);
        assertEquals(4, o.queuesPerShard);
        assertEquals(0.7, o.utilisation);
        assertEquals(100_000, o.target);
    }

    @Test
    void thePrintedCommandRunsTheSameBenchAgain() {
        ClusterBenchOptions o = ClusterBenchOptions.parse(List.of("--cluster", "--seconds", "5", "--rounds", "1",
                "--utilisation", "0.6", "--rate", "750"));
        assertEquals(5, o.seconds);
        assertEquals(1, o.rounds);
        String command = o.command();
        assertTrue(command.startsWith("deploy/local/lab bench --cluster --rounds 1 --rate 750 --seconds 5 "), command);
        assertTrue(command.contains("--utilisation 0.6 "), command);
        List<String> words = Arrays.asList(command.split(" "));
        ClusterBenchOptions again = ClusterBenchOptions.parse(words.subList(2, words.size()));
        assertEquals(command, again.command());
    }

    @Test
    void optionsThatCannotBeMeasuredAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ClusterBenchOptions.parse(List.of("--cluster", "--rounds", "0")));
        assertThrows(IllegalArgumentException.class, () -> ClusterBenchOptions.parse(List.of("--cluster", "--utilisation", "1.2")));
        assertThrows(IllegalArgumentException.class, () -> ClusterBenchOptions.parse(List.of("--cluster", "--rate", "-5")));
        assertThrows(IllegalArgumentException.class, () -> ClusterBenchOptions.parse(List.of("--cluster", "--fill", "10")));
        assertThrows(IllegalArgumentException.class, () -> ClusterBenchOptions.parse(List.of("--cluster", "--seconds")));
        // Without the flag these options belong to no bench: refused rather than run as the plain bench.
        assertThrows(IllegalArgumentException.class, () -> ClusterBenchOptions.parse(List.of("--seconds", "5")));
    }

    @Test
    void benchDispatchesOnTheClusterFlagWhereverItStands() {
        assertTrue(ClusterBench.wanted(List.of("--seconds", "5", "--cluster")));
        assertFalse(ClusterBench.wanted(List.of("--seconds", "5")));
    }

    @Test
    void commandTimeOfAWindowIsTheDifferenceOfRedisOwnCounters() {
        CommandTime before = CommandTime.parse(Map.of(
                "cmdstat_evalsha", "calls=100,usec=2000,usec_per_call=20.00,rejected_calls=0,failed_calls=0",
                "cmdstat_wait", "calls=50,usec=100,usec_per_call=2.00"));
        CommandTime after = CommandTime.parse(Map.of(
                "cmdstat_evalsha", "calls=400,usec=8000,usec_per_call=20.00,rejected_calls=0,failed_calls=0",
                "cmdstat_wait", "calls=150,usec=300,usec_per_call=2.00",
                "cmdstat_cluster|slots", "calls=3,usec=30,usec_per_call=10.00",
                "redis_version", "7.0.15"));
        CommandTime window = after.since(before);
        // 100 jobs in the window: evalsha 300 calls, 6000 µs; wait 100 calls, 200 µs; the slot map read 3 times.
        assertEquals("per job: evalsha 60.0 µs 3.00 calls, wait 2.0 µs 1.00 calls", window.describe(100, 2));
        assertTrue(window.describe(100, 5).endsWith(", cluster|slots 0.3 µs 0.03 calls"), window.describe(100, 5));
        // A command that did not run in the window is not listed; a server that did not answer has no figure.
        assertFalse(window.describe(100, 5).contains("xadd"));
        assertEquals("command time unknown", new CommandTime(Map.of()).describe(100, 3));
    }
}
