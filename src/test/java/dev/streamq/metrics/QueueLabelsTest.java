package dev.streamq.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
        assertFalse(labels.labelled("keep-2"));

        labels.release("keep-1");
        assertFalse(labels.labelled("keep-1"));
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
            int own = 0;
            for (int i = 0; i < answers.size(); i++) {
                String queue = "q" + (i % queues);
                String label = answers.get(i).get();
                // once a queue has a place, every answer after it names the queue (checked below);
                // an answer is never another queue's name
                assertTrue(label.equals(queue) || label.equals(QueueLabels.OVERFLOW), label);
            }
            for (int i = 0; i < queues; i++) {
                String queue = "q" + i;
                if (labels.labelled(queue)) {
                    own++;
                }
                assertEquals(labels.labelled(queue) ? queue : QueueLabels.OVERFLOW, labels.of(queue), "a later answer for " + queue);
            }
            assertEquals(limit, own, "places given");
        } finally {
            threads.shutdownNow();
        }
    }
}
