package dev.streamq.queue;

import dev.streamq.config.StreamqConfig;
import dev.streamq.redis.PromotableReplicas;
import dev.streamq.redis.RedisRoute;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many replicas must hold a write before the API acknowledges it.
 *
 * <p>By default, behind Sentinel (or a replication client), every replica the master has: WAIT
 * counts replicas, not which ones, and Sentinel may promote any replica that is up, preferring
 * by priority and then by an offset it samples only every 1–10 s, so "some replica has it"
 * ({@code WAIT 1} of 2) does not mean the promoted one has it. Waiting for all of them does. The
 * count comes from the master's own {@code INFO replication} in the same pipeline as the write
 * ({@code connected_slaves}, every state, so a replica that is still syncing counts and a write
 * waits for it or is refused); it is never below 1 (a Sentinel master without replicas has
 * lost them, and they are what Sentinel would promote) nor below
 * {@code streamq.durability.min-replicas}. A replica the master no longer lists (its link is
 * down) but Sentinel could still promote ({@link PromotableReplicas}) counts too: WAIT cannot
 * reach it, so writes are refused until it is back or Sentinel would no longer pick it.
 *
 * <p>With {@code streamq.durability.all-replicas=false}, or a standalone client, only
 * {@code min-replicas} count.
 */
@ApplicationScoped
public class ReplicaQuorum {

    private static final String CONNECTED = "connected_slaves:";
    private static final Pattern LISTED = Pattern.compile("^slave\\d+:ip=([^,]+),port=(\\d+),", Pattern.MULTILINE);

    private final int floor;
    private final boolean allReplicas;
    private final RedisRoute route;
    private final PromotableReplicas promotable;

    ReplicaQuorum(StreamqConfig config, RedisRoute route, PromotableReplicas promotable) {
        this.floor = Math.max(0, config.durability().minReplicas());
        this.allReplicas = config.durability().allReplicas();
        this.route = route;
        this.promotable = promotable;
    }

    /** True when writes wait for every replica the master lists (asked per write: the client type is known only once it is built). */
    public boolean countsEveryReplica() {
        return allReplicas && route.replicated();
    }

    /** streamq.durability.min-replicas: what a write waits for when not every replica counts. */
    public int floor() {
        return floor;
    }

    /**
     * The replicas that must acknowledge a write when every replica counts, given the master's
     * INFO replication taken right after it.
     */
    public int required(String infoReplication) {
        // At least one: a master behind Sentinel that lists no replica has lost them (a partition,
        // say), and the replicas it lost are what Sentinel would promote.
        return Math.max(Math.max(floor, 1), mustHold(infoReplication, promotable.addresses()));
    }

    /**
     * Every replica the master lists plus every replica Sentinel could promote that the master
     * does not list (its link to the master is down): WAIT can count only the first kind, so a
     * promotable replica missing from the list makes the write wait out its timeout and fail.
     */
    static int mustHold(String info, Set<String> promotable) {
        int listed = connectedReplicas(info);
        if (promotable.isEmpty()) {
            return listed;
        }
        Set<String> union = new HashSet<>(promotable);
        Matcher m = LISTED.matcher(info);
        while (m.find()) {
            union.add(m.group(1) + ":" + m.group(2));
        }
        return Math.max(listed, union.size());
    }

    /** {@code connected_slaves} of an INFO replication text: every replica the master serves, in any state. */
    static int connectedReplicas(String info) {
        int at = info.indexOf(CONNECTED);
        if (at < 0) {
            throw new IllegalStateException("INFO replication without " + CONNECTED + " " + info);
        }
        int from = at + CONNECTED.length();
        int to = from;
        while (to < info.length() && Character.isDigit(info.charAt(to))) {
            to++;
        }
        return Integer.parseInt(info.substring(from, to));
    }
}
