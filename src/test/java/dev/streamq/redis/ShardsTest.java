package dev.streamq.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.impl.types.BulkType;
import io.vertx.redis.client.impl.types.MultiType;
import io.vertx.redis.client.impl.types.NumberType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The slot arithmetic streamq routes by, checked against values Redis itself gives (CLUSTER KEYSLOT). */
class ShardsTest {

    @Test
    void slotOfAQueueKeyIsTheSlotOfItsHashTag() {
        // redis-cli CLUSTER KEYSLOT "{a1}" = 7785, "{b2}" = 15193, "{l12}" = 3775 (Redis 7.0)
        assertEquals(7785, Shards.slotOf("streamq:{a1}:ready"));
        assertEquals(15193, Shards.slotOf("streamq:{b2}:job:b2~x"));
        assertEquals(3775, Shards.slotOf("streamq:{l12}:delayed"));
    }

    @Test
    void aTagForASlotLandsInThatSlot() {
        Shards shards = new Shards(null);
        for (int slot : new int[] {0, 1, 5460, 5461, 10922, 10923, 16383}) {
            String tag = shards.tagFor(slot);
            assertEquals(slot, Shards.slotOf("streamq:ready-queues:{" + tag + "}"), "tag " + tag);
        }
    }

    @Test
    void clusterSlotsAreGroupedByMasterAndNamedByTheirFirstSlot() {
        // a master that serves two ranges (after a resharding) is one shard
        Response reply = Response.newInstance(multi(
                range(5461, 10922, "127.0.0.1", 7002),
                range(0, 100, "127.0.0.1", 7003),
                range(101, 5460, "127.0.0.1", 7001),
                range(10923, 16383, "127.0.0.1", 7003)));
        List<Shards.Shard> shards = Shards.parse(reply);

        assertEquals(3, shards.size());
        assertEquals(0, shards.get(0).firstSlot());
        assertEquals("127.0.0.1:7003", shards.get(0).master());
        assertEquals("0-100,10923-16383", shards.get(0).slots());
        assertTrue(shards.get(0).owns(12000));
        assertFalse(shards.get(0).owns(101));
        assertEquals("127.0.0.1:7001", shards.get(1).master());
        assertEquals(101, shards.get(1).firstSlot());
        assertEquals(5461, shards.get(2).firstSlot());
    }

    @Test
    void aRequestIsRoutedByItsFirstKeyAndAKeylessOneAnywhere() {
        assertEquals(7785, ClusterRoute.slotOf(List.of(Request.cmd(Command.XLEN).arg("streamq:{a1}:ready"))));
        assertEquals(7785, ClusterRoute.slotOf(List.of(Request.cmd(Command.INFO).arg("replication"),
                Request.cmd(Command.EVALSHA).arg("sha").arg(1).arg("streamq:{a1}:ready").arg("x"))));
        assertEquals(-1, ClusterRoute.slotOf(List.of(Request.cmd(Command.WAIT).arg(1).arg(100))));
    }

    private static io.vertx.redis.client.Response range(int from, int to, String host, int port) {
        return multi(NumberType.create(from), NumberType.create(to),
                multi(bulk(host), NumberType.create(port), bulk("id" + port)));
    }

    private static io.vertx.redis.client.Response multi(io.vertx.redis.client.Response... items) {
        MultiType multi = MultiType.create(items.length, false);
        for (io.vertx.redis.client.Response item : items) {
            multi.add(item);
        }
        return multi;
    }

    private static io.vertx.redis.client.Response bulk(String text) {
        return BulkType.create(io.vertx.core.buffer.Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)), false);
    }
}
