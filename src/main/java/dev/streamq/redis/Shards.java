package dev.streamq.redis;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.impl.ZModem;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Which master serves which hash slots, so that work for one shard waits on that shard only.
 * On Redis Cluster it is the slot map {@link ClusterRoute} keeps ({@code CLUSTER SLOTS}, which
 * managed services keep where some disable {@code CLUSTER NODES}); a failover keeps a shard's
 * slots, so a shard is named by its lowest slot and keeps that name through a failover.
 * Standalone or behind Sentinel there is one shard that holds every slot.
 *
 * <p>The map may lag a resharding by one refresh: that costs isolation for a moment, never
 * correctness, since every command is routed by the client itself, which follows MOVED and ASK.
 */
@ApplicationScoped
public class Shards {

    private static final Logger LOG = Logger.getLogger(Shards.class);
    public static final int SLOTS = 16_384;
    /** The one shard of a deployment without Cluster: every slot. */
    public static final Shard WHOLE = new Shard(List.of(new int[] {0, SLOTS - 1}), "");

    /** A master and the slot ranges it serves, in slot order; its first slot names it. */
    public record Shard(List<int[]> ranges, String master) {
        public int firstSlot() {
            return ranges.get(0)[0];
        }

        public boolean owns(int slot) {
            for (int[] range : ranges) {
                if (slot >= range[0] && slot <= range[1]) {
                    return true;
                }
            }
            return false;
        }

        /** "0-5460" style, for logs and health data. */
        public String slots() {
            StringBuilder out = new StringBuilder();
            for (int[] range : ranges) {
                out.append(out.isEmpty() ? "" : ",").append(range[0]).append('-').append(range[1]);
            }
            return out.toString();
        }
    }

    private final RedisRoute route;
    private final Map<Integer, String> tags = new ConcurrentHashMap<>();

    Shards(RedisRoute route) {
        this.route = route;
    }

    /** Reads the slot map before the API and the workers start, so their first commands go to the right masters. */
    void onStart(@Observes @Priority(1) StartupEvent event) {
        if (!route.clustered()) {
            return;
        }
        try {
            route.refreshShards().await().atMost(Duration.ofSeconds(5));
            LOG.debugf("Redis Cluster shards (slots per master): %s", all().stream().map(s -> s.slots() + "@" + s.master()).toList());
        } catch (RuntimeException e) {
            LOG.debugf("could not read the Redis Cluster slot map at start (%s); it is read again every second", e.getMessage());
        }
    }

    /** True when the deployment has more than one shard to keep apart (Redis Cluster). */
    public boolean clustered() {
        return route.clustered();
    }

    /** Every shard, by first slot; the whole keyspace as one shard when not on Cluster or before the map is known. */
    public List<Shard> all() {
        if (!route.clustered()) {
            return List.of(WHOLE);
        }
        List<Shard> now = route.clusterShards();
        return now.isEmpty() ? List.of(WHOLE) : now;
    }

    /** The shard serving {@code key}'s slot (by its hash tag), as last seen. */
    public Shard of(String key) {
        List<Shard> now = all();
        return now.size() == 1 ? now.get(0) : of(slotOf(key));
    }

    /** The shard serving {@code slot}, as last seen. */
    public Shard of(int slot) {
        List<Shard> now = all();
        // a slot no master serves: the other shards' loops still find its queues by their sweep
        return now.size() == 1 ? now.get(0) : owner(now, slot).orElse(now.get(0));
    }

    /** The shard among {@code shards} that serves {@code slot}, if one does. */
    static Optional<Shard> owner(List<Shard> shards, int slot) {
        for (Shard shard : shards) {
            if (shard.owns(slot)) {
                return Optional.of(shard);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code work} for each shard's share of {@code items} (by the key {@code keyOf} names),
     * the shards at once, and ends when every share has: a shard that fails or hangs holds only
     * its own share, and its failure is reported once all are done. One share without Cluster.
     */
    public <T> Uni<Void> eachShard(Collection<T> items, Function<T, String> keyOf, Function<List<T>, Uni<Void>> work) {
        if (items.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (all().size() == 1) {
            return work.apply(List.copyOf(items));
        }
        Map<Integer, List<T>> shares = new LinkedHashMap<>();
        items.forEach(item -> shares.computeIfAbsent(of(keyOf.apply(item)).firstSlot(), s -> new ArrayList<>()).add(item));
        return Uni.join().all(shares.values().stream().map(work).toList()).andCollectFailures().replaceWithVoid();
    }

    /** Redis Cluster's slot of a key: CRC16 of its hash tag (or the whole key), mod 16384. */
    public static int slotOf(String key) {
        return ZModem.generate(key);
    }

    /**
     * The shortest decimal text whose slot is {@code slot}: a hash tag that puts a key on the
     * shard serving that slot (found by counting up; every slot is hit within some ten thousand tries).
     */
    public String tagFor(int slot) {
        return tags.computeIfAbsent(slot, s -> {
            for (int n = 0; ; n++) {
                String candidate = Integer.toString(n);
                if (ZModem.generate(candidate) == s) {
                    return candidate;
                }
            }
        });
    }

    /** CLUSTER SLOTS: one entry per slot range, [start, end, [host, port, id, ...], replicas...]; grouped by master. */
    static List<Shard> parse(Response reply) {
        Map<String, List<int[]>> byMaster = new LinkedHashMap<>();
        for (Response range : reply) {
            Response master = range.get(2);
            String address = master.get(0).toString() + ":" + master.get(1).toInteger();
            byMaster.computeIfAbsent(address, a -> new ArrayList<>())
                    .add(new int[] {range.get(0).toInteger(), range.get(1).toInteger()});
        }
        List<Shard> out = new ArrayList<>();
        byMaster.forEach((address, ranges) -> {
            ranges.sort(Comparator.comparingInt(r -> r[0]));
            out.add(new Shard(List.copyOf(ranges), address));
        });
        out.sort(Comparator.comparingInt(Shard::firstSlot));
        return List.copyOf(out);
    }
}
