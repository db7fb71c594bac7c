package dev.streamq.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** streamq.worker.queues: names are consumed as given, patterns pick from the registry. */
class QueueSelectionTest {

    private static final List<QueueName> REGISTERED = List.of(new QueueName("tenant-a-mail"), new QueueName("tenant-a-pdf"),
            new QueueName("tenant-b-mail"), new QueueName("tenant.c"), new QueueName("reports"));

    @Test
    void namesAreConsumedWithoutTheRegistry() {
        QueueSelection selection = new QueueSelection(List.of("reports", "not-yet-used"));
        assertFalse(selection.readsRegistry());
        assertEquals(Set.of(new QueueName("reports"), new QueueName("not-yet-used")), selection.select(REGISTERED));
    }

    @Test
    void patternsPickRegisteredQueues() {
        QueueSelection selection = new QueueSelection(List.of("tenant-a-*", "tenant?c"));
        assertTrue(selection.readsRegistry());
        assertEquals(Set.of(new QueueName("tenant-a-mail"), new QueueName("tenant-a-pdf"), new QueueName("tenant.c")),
                selection.select(REGISTERED));
    }

    @Test
    void aDotInAPatternIsADot() {
        assertEquals(Set.of(new QueueName("tenant.c")), new QueueSelection(List.of("tenant.*")).select(REGISTERED));
    }

    @Test
    void starServesEveryRegisteredQueue() {
        assertEquals(Set.copyOf(REGISTERED), new QueueSelection(List.of("*")).select(REGISTERED));
    }
}
