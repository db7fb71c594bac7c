package dev.streamq.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A queue's label: its own while places last and streamq.metrics.queues selects it, else the overflow. */
class QueueLabelsTest {

    @Test
    void theSelectedQueuesGetPlacesUntilTheLimitAndAFreedPlaceGoesToTheNextOne() {
        QueueLabels labels = new QueueLabels(2, List.of("keep-*", "billing"));
        assertEquals(QueueLabels.OVERFLOW, labels.of("other"), "not selected");
        assertEquals("keep-1", labels.of("keep-1"));
        assertEquals("billing", labels.of("billing"));
        assertEquals(QueueLabels.OVERFLOW, labels.of("keep-2"), "past the limit");
        assertEquals("keep-1", labels.of("keep-1"), "a place is kept");
        assertEquals(QueueLabels.OVERFLOW, labels.current("keep-2"), "asking took no place");

        labels.release("keep-1");
        assertEquals(QueueLabels.OVERFLOW, labels.current("keep-1"));
        assertEquals("keep-2", labels.of("keep-2"), "the freed place");
        assertEquals(QueueLabels.OVERFLOW, labels.of("keep-1"), "and it is taken");
        assertEquals(QueueLabels.OVERFLOW, labels.of("other"), "still not selected, with or without room");
    }

    @Test
    void queuesMetAtOnceFromManyThreadsNeverPassTheLimitAndAQueueKeepsItsAnswer() throws Exception {
        int limit = 50;
        int queues = 400;
        QueueLabels labels = new QueueLabels(limit, List.of("*"));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 5 * queues; i++) {
                String queue = "q" + (i % queues); // each queue asked five times, from any thread
                answers.add(threads.submit(() -> labels.of(queue)));
            }
            Set<String> answeredOwn = new HashSet<>();
            for (int i = 0; i < answers.size(); i++) {
                String queue = "q" + (i % queues);
                if (answers.get(i).get().equals(queue)) {
                    answeredOwn.add(queue);
                }
            }
            Set<String> labelled = new HashSet<>();
            for (int i = 0; i < queues; i++) {
                String queue = "q" + i;
                if (labels.current(queue).equals(queue)) {
                    labelled.add(queue);
                }
            }
            assertEquals(limit, labelled.size(), "places given");
            // a queue once given a place keeps it, and no queue was told it had one it does not hold
            assertEquals(labelled, answeredOwn);
        } finally {
            threads.shutdownNow();
        }
    }
}
