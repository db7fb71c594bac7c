package dev.streamq.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The side-by-side table: medians of the rounds and the ratio ours / peer's, per figure. */
class PeerTableTest {

    @Test
    void medianOfOddAndEvenRounds() {
        assertEquals(5.0, PeerTable.median(List.of(9.0, 1.0, 5.0)));
        assertEquals(4.0, PeerTable.median(List.of(6.0, 2.0)));
        assertTrue(Double.isNaN(PeerTable.median(List.of())));
    }

    @Test
    void eachFigureGetsBothMediansAndTheRatio() {
        PeerTable table = new PeerTable("streamq", "BullMQ");
        for (double v : new double[] {10_000, 12_000, 11_000}) {
            table.add("streamq", "e2e single: jobs/s", v);
        }
        for (double v : new double[] {16_000, 15_000, 17_000}) {
            table.add("BullMQ", "e2e single: jobs/s", v);
        }
        table.add("streamq", "paced: p99 ms", 4);
        String md = table.markdown();
        assertTrue(md.contains("| e2e single: jobs/s | 11,000 | 16,000 | 0.69 | 10,000 12,000 11,000; 16,000 15,000 17,000 |"), md);
        assertTrue(md.contains("| paced: p99 ms | 4.0 | – | – | 4.0; – |"), md); // a figure one side lacks
        assertEquals(4, md.lines().count());
    }
}
