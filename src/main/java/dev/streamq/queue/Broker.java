package dev.streamq.queue;

import dev.streamq.config.StreamqConfig;
import dev.streamq.redis.RedisRoute;
import dev.streamq.redis.Shards;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The queue's Redis protocol: the only class that knows key names, the Lua scripts'
 * KEYS/ARGV order and the consumer group ({@link ScriptReplies} reads their replies). Every
 * state transition is one script, so it is atomic and costs one round trip. It does not
 * retry; callers decide how to survive failures (the API within a budget, workers forever).
 */
@ApplicationScoped
public class Broker {

    public static final String GROUP = "workers";
    /** Set of the queues that exist: they received a job and were not idle long enough to be forgotten. */
    static final String QUEUES_KEY = "streamq:queues";
    /**
     * The doorbell: a stream of queue names, one entry each time a queue's ready stream got work
     * (a submission, a promotion, a redrive, a hand-back). Workers block on it, one XREAD however
     * many queues there are, instead of on every queue's stream: an XREADGROUP over 10,000 streams
     * costs Redis milliseconds per call. It is a hint, written after the work and not awaited;
     * a lost ring is found by the workers' periodic sweep of every stream. Capped, so its memory is bounded.
     */
    static final String DOORBELL_KEY = "streamq:ready-queues";
    /** On Redis Cluster one doorbell per shard, on that shard (see {@link #doorbell}). */
    private static final String SHARD_DOORBELL_PREFIX = "streamq:ready-queues:{";
    private static final int DOORBELL_LENGTH = 10_000;
    /** How Redis names the stream in "NOGROUP No such key 'streamq:{q}:ready' or consumer group ...". */
    private static final Pattern MISSING_GROUP = Pattern.compile("NOGROUP No such key 'streamq:\\{([^}]+)\\}:ready'");

    private static final LuaScript ENQUEUE = LuaScript.load("enqueue");
    private static final LuaScript START = LuaScript.load("start");
    private static final LuaScript COMPLETE = LuaScript.load("complete");
    private static final LuaScript FAIL = LuaScript.load("fail");
    private static final LuaScript PROMOTE = LuaScript.load("promote");
    private static final LuaScript REDRIVE = LuaScript.load("redrive");
    private static final LuaScript RECLAIM = LuaScript.load("reclaim");
    private static final LuaScript RELEASE = LuaScript.load("release");
    private static final LuaScript STATS = LuaScript.load("stats");
    private static final LuaScript FORGET = LuaScript.load("forget");

    private final RedisRoute redis;
    private final StreamqConfig config;
    private final ReplicaQuorum replicas;
    private final Shards shards;
    /**
     * When this process last registered each queue. The SADD is idempotent; remembering it
     * saves a round trip per submission, and repeating it every minute re-registers queues
     * on a Redis that lost its data (a master restarted without its AOF, say).
     */
    private final Map<String, Long> registeredAt = new ConcurrentHashMap<>();
    private static final long REREGISTER_MILLIS = 60_000;

    Broker(RedisRoute redis, StreamqConfig config, ReplicaQuorum replicas, Shards shards) {
        this.redis = redis;
        this.config = config;
        this.replicas = replicas;
        this.shards = shards;
    }

    /**
     * Writes the jobs (one script call for the whole batch) and, when durability asks for
     * replicas ({@link ReplicaQuorum}), WAITs on the same connection. Ids are made by the
     * caller before its first try, so a retry of a call whose answer was lost finds the jobs
     * instead of adding them twice.
     *
     * @param traces per job, the trace context of the request that submitted it, stored with the new job
     */
    public Uni<List<Enqueued>> enqueue(QueueName queue, List<NewJob> jobs, List<String> ids, List<TraceHeaders> traces) {
        long now = System.currentTimeMillis();
        List<String> keys = new ArrayList<>(2 + 2 * jobs.size());
        keys.add(queue.ready());
        keys.add(queue.delayed());
        List<String> args = new ArrayList<>(3 + 9 * jobs.size());
        args.add(Long.toString(now));
        args.add(Long.toString(config.api().idempotencyTtl().toSeconds()));
        args.add(queue.jobPrefix());
        for (int i = 0; i < jobs.size(); i++) {
            NewJob job = jobs.get(i);
            String id = ids.get(i);
            keys.add(queue.job(id));
            keys.add(job.idempotencyKey() == null ? queue.job(id) : queue.idempotency(job.idempotencyKey()));
            args.add(id);
            args.add(job.type());
            args.add(job.payload());
            args.add(Integer.toString(job.maxAttempts()));
            args.add(Long.toString(job.runAtMillis()));
            args.add(job.idempotencyKey() == null ? "" : job.idempotencyKey());
            args.add(job.idempotencyKey() == null ? "" : job.fingerprint());
            args.add(traces.get(i).traceparent());
            args.add(traces.get(i).tracestate());
        }
        // Registered only once the jobs are written: a refused or failed submit must not add a
        // queue. The script says when the queue had no ready stream (new, or forgotten since
        // this process last registered it): then the registration is never skipped.
        return admits(queue)
                .chain(() -> evalDurably(ENQUEUE, keys, args))
                .chain(reply -> {
                    List<Enqueued> enqueued = ScriptReplies.enqueued(reply, queue);
                    // only jobs that went to the ready stream: a replay or a scheduled job wakes nobody
                    boolean ready = enqueued.stream().anyMatch(e -> !e.replayed() && JobState.QUEUED.stored().equals(e.state()));
                    return register(queue, ScriptReplies.enqueueFoundNoStream(reply))
                            .invoke(() -> ringIf(ready, queue))
                            .replaceWith(enqueued);
                });
    }

    /**
     * Fails with {@link QueueLimitException} when the queue is new and the deployment holds its
     * maximum already. A queue whose ready stream exists is no new queue: that is asked of the
     * queue's own shard, so on Redis Cluster a shard that is down and holds the registry
     * ({@value #QUEUES_KEY}) does not stop the queues of the other shards.
     */
    private Uni<Void> admits(QueueName queue) {
        if (recentlyRegistered(queue)) {
            return Uni.createFrom().voidItem();
        }
        return redis.send(Request.cmd(Command.EXISTS).arg(queue.ready())).chain(exists -> exists.toInteger() == 1
                ? Uni.createFrom().voidItem()
                : redis.batch(List.of(Request.cmd(Command.SISMEMBER).arg(QUEUES_KEY).arg(queue.value()),
                                Request.cmd(Command.SCARD).arg(QUEUES_KEY)))
                        .invoke(r -> {
                            if (r.get(0).toInteger() == 0 && r.get(1).toLong() >= config.queues().max()) {
                                throw new QueueLimitException(config.queues().max());
                            }
                        })
                        .replaceWithVoid());
    }

    private boolean recentlyRegistered(QueueName queue) {
        Long at = registeredAt.get(queue.value());
        return at != null && System.currentTimeMillis() - at < REREGISTER_MILLIS;
    }

    /**
     * Puts the queue in the registry: it must succeed for a queue whose stream the script did not
     * find (new, or forgotten), or workers with patterns would never see it. For a known queue it
     * is the once-a-minute refresh, which heals a registry that lost its data: not awaited, so
     * the registry's shard being down or slow (on Redis Cluster) neither fails nor slows the
     * submission, and tried again a minute later.
     */
    private Uni<Void> register(QueueName queue, boolean streamWasAbsent) {
        if (!streamWasAbsent && recentlyRegistered(queue)) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> added = redis.send(Request.cmd(Command.SADD).arg(QUEUES_KEY).arg(queue.value())).replaceWithVoid();
        if (streamWasAbsent) {
            return added.invoke(() -> registeredAt.put(queue.value(), System.currentTimeMillis()));
        }
        registeredAt.put(queue.value(), System.currentTimeMillis());
        added.subscribe().with(ok -> { }, failure -> { }); // tried again a minute later
        return Uni.createFrom().voidItem();
    }

    /**
     * Forgets the queue if it is idle ({@code forget.lua}): out of the registry first, then its
     * keys, and back into the registry when the script finds it busy after all. True when forgotten.
     */
    public Uni<Boolean> forgetIfIdle(QueueName queue, Duration idle) {
        List<String> keys = List.of(queue.ready(), queue.delayed(), queue.dead());
        return eval(FORGET, keys, List.of(now(), Long.toString(idle.toMillis()), "check"))
                .chain(idleNow -> idleNow.toInteger() == 0 ? Uni.createFrom().item(false)
                        : redis.send(Request.cmd(Command.SREM).arg(QUEUES_KEY).arg(queue.value()))
                                .chain(() -> eval(FORGET, keys, List.of(now(), Long.toString(idle.toMillis()), "delete")))
                                .chain(deleted -> deleted.toInteger() == 1 ? Uni.createFrom().item(true)
                                        : redis.send(Request.cmd(Command.SADD).arg(QUEUES_KEY).arg(queue.value()))
                                                .replaceWith(false)))
                .invoke(forgotten -> {
                    if (forgotten) {
                        registeredAt.remove(queue.value());
                    }
                });
    }

    public Uni<List<QueueName>> queues() {
        return redis.send(Request.cmd(Command.SMEMBERS).arg(QUEUES_KEY))
                .map(names -> {
                    List<QueueName> out = new ArrayList<>();
                    names.forEach(name -> {
                        if (QueueName.isValid(name.toString())) {
                            out.add(new QueueName(name.toString()));
                        }
                    });
                    out.sort(Comparator.comparing(QueueName::value));
                    return out;
                });
    }

    /** True when the queue is in the registry: it has received a job and has not been idle long enough to be forgotten. */
    public Uni<Boolean> isRegistered(QueueName queue) {
        return redis.send(Request.cmd(Command.SISMEMBER).arg(QUEUES_KEY).arg(queue.value())).map(r -> r.toInteger() == 1);
    }

    public Uni<Optional<Job>> find(String jobId) {
        Optional<QueueName> queue = JobId.queueOf(jobId);
        if (queue.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return redis.send(Request.cmd(Command.HGETALL).arg(queue.get().job(jobId)))
                .map(RedisReplies::toMap)
                .map(hash -> hash.containsKey("state") ? Optional.of(Job.fromHash(queue.get(), hash)) : Optional.<Job>empty());
    }

    /** Creates the consumer group (and the stream) if missing; reading from 0 so jobs enqueued before any worker are seen. */
    public Uni<Void> ensureGroup(QueueName queue) {
        return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(queue.ready()).arg(GROUP).arg("0").arg("MKSTREAM"))
                .onFailure(f -> String.valueOf(f.getMessage()).startsWith("BUSYGROUP")).recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * New entries for this consumer from any of the queues, without waiting, in one XREADGROUP
     * over all their streams; {@code count} is per stream. On Redis Cluster one command may name
     * keys of one slot only, so there it is one XREADGROUP per queue, sent at once.
     */
    public Uni<List<Delivery>> readNow(List<QueueName> queues, String consumer, int count) {
        if (!redis.clustered() || queues.size() == 1) {
            return readNowOnce(queues, consumer, count);
        }
        return Uni.join().all(queues.stream().map(q -> readNowOnce(List.of(q), consumer, count)).toList()).andFailFast()
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    private Uni<List<Delivery>> readNowOnce(List<QueueName> queues, String consumer, int count) {
        Request xreadgroup = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(GROUP).arg(consumer).arg("COUNT").arg(count)
                .arg("STREAMS");
        Map<String, QueueName> byStream = new HashMap<>(queues.size() * 2);
        for (QueueName q : queues) {
            xreadgroup.arg(q.ready());
            byStream.put(q.ready(), q);
        }
        for (int i = 0; i < queues.size(); i++) {
            xreadgroup.arg(">");
        }
        return redis.send(xreadgroup).map(reply -> {
            List<Delivery> out = new ArrayList<>();
            RedisReplies.entriesByStream(reply).forEach((stream, entries) -> {
                QueueName q = byStream.get(stream);
                entries.forEach(e -> out.add(new Delivery(q, e.id(), e.fields().get("id"))));
            });
            return out;
        });
    }

    /** When {@code gotWork}, says that the queue's ready stream has new entries; not awaited (see {@link #DOORBELL_KEY}). */
    private void ringIf(boolean gotWork, QueueName queue) {
        if (!gotWork) {
            return;
        }
        redis.send(Request.cmd(Command.XADD).arg(doorbell(shards.of(queue.ready()))).arg("MAXLEN").arg("~").arg(DOORBELL_LENGTH)
                        .arg("*").arg("q").arg(queue.value()))
                .subscribe().with(ok -> { }, failure -> { });
    }

    /**
     * The doorbell of a shard. Without Cluster the one key {@value #DOORBELL_KEY}; on Cluster a
     * key whose hash tag lands in the shard's first slot, so a queue rings on its own shard and a
     * worker waits on each shard apart: one shard's failover then holds no other shard's rings.
     * A ring written under an older slot map (a resharding) is a lost hint, found by the sweep.
     */
    public String doorbell(Shards.Shard shard) {
        return shards.clustered() ? SHARD_DOORBELL_PREFIX + shards.tagFor(shard.firstSlot()) + "}" : DOORBELL_KEY;
    }

    /**
     * Waits up to {@code block} for rings on the shard's doorbell after {@code after} (an entry
     * id of that doorbell): the queues that got work, and the id to wait after next time.
     */
    public Uni<Rings> waitForRings(Shards.Shard shard, String after, Duration block) {
        String key = doorbell(shard);
        Request xread = Request.cmd(Command.XREAD).arg("COUNT").arg(DOORBELL_LENGTH).arg("BLOCK").arg(block.toMillis())
                .arg("STREAMS").arg(key).arg(after);
        return redis.send(xread, block).map(reply -> {
            List<RedisReplies.Entry> entries = RedisReplies.entriesByStream(reply).getOrDefault(key, List.of());
            Set<QueueName> queues = new HashSet<>();
            entries.forEach(e -> {
                String name = e.fields().get("q");
                if (QueueName.isValid(name)) {
                    queues.add(new QueueName(name));
                }
            });
            return new Rings(queues, entries.isEmpty() ? after : entries.get(entries.size() - 1).id());
        });
    }

    /** The queue whose stream a NOGROUP error names (its group or stream is gone), if the message names one. */
    public static Optional<QueueName> queueOfMissingGroup(Throwable failure) {
        Matcher m = MISSING_GROUP.matcher(String.valueOf(failure.getMessage()));
        return m.find() && QueueName.isValid(m.group(1)) ? Optional.of(new QueueName(m.group(1))) : Optional.empty();
    }

    /** XLEN of each queue's ready stream (waiting plus pending entries; 0 for none), in one pipeline. */
    public Uni<List<Long>> lengths(List<QueueName> queues) {
        if (queues.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Request> lengths = new ArrayList<>(queues.size());
        queues.forEach(q -> lengths.add(Request.cmd(Command.XLEN).arg(q.ready())));
        return redis.each(lengths).map(replies -> replies.stream().map(Response::toLong).toList());
    }

    /** The earliest due time (epoch ms) in each queue's delayed set, for the queues that have one; one pipeline. */
    public Uni<Map<QueueName, Long>> nextDue(List<QueueName> queues) {
        if (queues.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<Request> peeks = new ArrayList<>(queues.size());
        queues.forEach(q -> peeks.add(Request.cmd(Command.ZRANGE).arg(q.delayed()).arg(0).arg(0).arg("WITHSCORES")));
        return redis.each(peeks).map(replies -> {
            Map<QueueName, Long> due = new HashMap<>();
            for (int i = 0; i < queues.size(); i++) {
                Long at = RedisReplies.firstScore(replies.get(i));
                if (at != null) {
                    due.put(queues.get(i), at);
                }
            }
            return due;
        });
    }

    /**
     * Starts a batch of deliveries of one queue in one script call; each answer is the attempt
     * to run, or empty when the delivery was stale (its entry is retired).
     */
    public Uni<List<Optional<Attempt>>> start(List<Delivery> deliveries, String consumer) {
        QueueName q = deliveries.get(0).queue();
        List<String> keys = new ArrayList<>(1 + deliveries.size());
        keys.add(q.ready());
        List<String> args = new ArrayList<>(3 + deliveries.size());
        args.add(GROUP);
        args.add(now());
        args.add(consumer);
        for (Delivery d : deliveries) {
            keys.add(q.job(d.jobId()));
            args.add(d.entryId());
        }
        return eval(START, keys, args).map(reply -> ScriptReplies.started(reply, deliveries));
    }

    /**
     * Records the success of a group of completions of one queue in one script call; the
     * outcomes are in the order of {@code completions} (OK, DUPLICATE or GONE each).
     */
    public Uni<List<Outcome>> complete(List<Completion> completions) {
        QueueName q = completions.get(0).delivery().queue();
        List<String> keys = new ArrayList<>(1 + completions.size());
        keys.add(q.ready());
        List<String> args = new ArrayList<>(3 + 2 * completions.size());
        args.add(GROUP);
        args.add(now());
        args.add(Long.toString(config.retention().succeeded().toSeconds()));
        for (Completion c : completions) {
            keys.add(q.job(c.delivery().jobId()));
            args.add(c.delivery().entryId());
            args.add(c.result() == null ? "" : c.result());
        }
        return eval(COMPLETE, keys, args).map(ScriptReplies::outcomes);
    }

    /**
     * @param retryAtMillis when to run again, or -1 to dead-letter now with {@code deadReason}.
     *     The script dead-letters anyway once the attempts are used up, as {@link DeadReason#MAX_ATTEMPTS}.
     */
    public Uni<Outcome> fail(Delivery d, String error, long retryAtMillis, DeadReason deadReason) {
        QueueName q = d.queue();
        return eval(FAIL, List.of(q.ready(), q.job(d.jobId()), q.delayed(), q.dead()),
                List.of(GROUP, d.entryId(), now(), error, Long.toString(retryAtMillis), deadReason.label(),
                        Long.toString(config.retention().dead().toSeconds()),
                        Long.toString(config.retention().deadLetterCap())))
                .map(ScriptReplies::outcome);
    }

    public Uni<Boolean> release(Delivery d) {
        QueueName q = d.queue();
        return eval(RELEASE, List.of(q.ready(), q.job(d.jobId())), List.of(GROUP, d.entryId(), now()))
                .map(ScriptReplies::released)
                .invoke(released -> ringIf(released, q));
    }

    public Uni<Integer> promote(QueueName q, int limit) {
        return eval(PROMOTE, List.of(q.delayed(), q.ready()), List.of(now(), Integer.toString(limit), q.jobPrefix()))
                .map(ScriptReplies::promoted)
                .invoke(moved -> ringIf(moved > 0, q));
    }

    public Uni<Reclaimed> reclaim(QueueName q, String consumer, Duration minIdle, int count) {
        return eval(RECLAIM, List.of(q.ready(), q.dead()),
                List.of(GROUP, consumer, Long.toString(minIdle.toMillis()), Integer.toString(count),
                        Integer.toString(config.worker().maxDeliveries()), q.jobPrefix(), now(),
                        Long.toString(config.retention().dead().toSeconds()),
                        Long.toString(config.retention().deadLetterCap())))
                .map(reply -> ScriptReplies.reclaimed(reply, q));
    }

    /** Resets the idle time of entries still being worked on, so that they are not reclaimed (JUSTID: no delivery counted). */
    public Uni<Void> extendLeases(QueueName q, String consumer, List<String> entryIds) {
        if (entryIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Request xclaim = Request.cmd(Command.XCLAIM).arg(q.ready()).arg(GROUP).arg(consumer).arg("0");
        entryIds.forEach(xclaim::arg);
        xclaim.arg("JUSTID");
        return redis.send(xclaim).replaceWithVoid();
    }

    public Uni<Long> redrive(QueueName q, List<String> jobIds) {
        List<String> args = new ArrayList<>(2 + jobIds.size());
        args.add(now());
        args.add(q.jobPrefix());
        args.addAll(jobIds);
        return eval(REDRIVE, List.of(q.dead(), q.ready()), args).map(ScriptReplies::redriven)
                .invoke(moved -> ringIf(moved > 0, q));
    }

    /** A page of dead letters, oldest first, starting after {@code after} (exclusive; null for the start). */
    public Uni<List<DeadLetter>> deadLetters(QueueName q, String after, int limit) {
        return deadLetters(q, after, "+", limit);
    }

    /** Dead letters after {@code after} (exclusive; null for the start) up to {@code until} (inclusive, "+" for the end). */
    public Uni<List<DeadLetter>> deadLetters(QueueName q, String after, String until, int limit) {
        Request xrange = Request.cmd(Command.XRANGE).arg(q.dead()).arg(after == null ? "-" : "(" + after).arg(until)
                .arg("COUNT").arg(limit);
        return redis.send(xrange).map(reply -> RedisReplies.entries(reply).stream()
                .map(e -> new DeadLetter(e.id(), e.fields().get("id"), e.fields().get("reason"), e.fields().get("error")))
                .toList());
    }

    /** The newest dead-letter entry id, or null when there is none. */
    public Uni<String> lastDeadLetter(QueueName q) {
        return redis.send(Request.cmd(Command.XREVRANGE).arg(q.dead()).arg("+").arg("-").arg("COUNT").arg(1))
                .map(reply -> {
                    List<RedisReplies.Entry> newest = RedisReplies.entries(reply);
                    return newest.isEmpty() ? null : newest.get(0).id();
                });
    }

    public Uni<QueueDepth> depth(QueueName q) {
        return eval(STATS, List.of(q.ready(), q.delayed(), q.dead()), List.of(GROUP))
                .map(reply -> ScriptReplies.depth(reply, q));
    }

    /**
     * ROLE of the server the client currently calls the master of the shard ("master" is the
     * only answer a writer can use) and whether it has memory left for writes, in one pipeline.
     */
    public Uni<ServerState> serverState(Shards.Shard shard) {
        return redis.batchOn(shard, List.of(Request.cmd(Command.ROLE), Request.cmd(Command.INFO).arg("memory")))
                .map(r -> ServerState.of(r.get(0).get(0).toString(), r.get(1).toString()));
    }

    private Uni<Response> eval(LuaScript script, List<String> keys, List<String> args) {
        return redis.send(scriptRequest(Command.EVALSHA, script.sha(), keys, args))
                .onFailure(Broker::isNoScript)
                .recoverWithUni(() -> redis.send(scriptRequest(Command.EVAL, script.source(), keys, args)));
    }

    /**
     * Runs a write script, then WAITs on the same connection (WAIT counts the replicas that have
     * this connection's writes) for as many replicas as {@link ReplicaQuorum} requires. When
     * every replica counts, the script's pipeline also asks INFO replication, so the WAIT target
     * is the master's replica count right after the write: never a stale count that would hold
     * the connection for the whole timeout waiting for a replica that is gone.
     */
    private Uni<Response> evalDurably(LuaScript script, List<String> keys, List<String> args) {
        if (!replicas.countsEveryReplica()) {
            int required = replicas.floor();
            if (required == 0) {
                return eval(script, keys, args);
            }
            Duration hold = config.durability().waitTimeout();
            return scriptThen(requests -> redis.batch(requests, hold), script, keys, args, waitFor(required))
                    .map(replies -> durable(replies.get(0), replies.get(1), required));
        }
        Request info = Request.cmd(Command.INFO).arg("replication");
        return redis.onOneConnection(keys.get(0), config.durability().waitTimeout(), connection -> scriptThen(connection::batch, script, keys, args, info)
                .chain(replies -> {
                    int required = replicas.required(replies.get(1).toString());
                    return connection.send(waitFor(required)).map(acknowledged -> durable(replies.get(0), acknowledged, required));
                }));
    }

    /** The script and one more command in one pipeline; EVAL instead of EVALSHA when the server lacks the script. */
    private static Uni<List<Response>> scriptThen(Function<List<Request>, Uni<List<Response>>> pipeline, LuaScript script,
            List<String> keys, List<String> args, Request then) {
        return pipeline.apply(List.of(scriptRequest(Command.EVALSHA, script.sha(), keys, args), then))
                .onFailure(Broker::isNoScript)
                .recoverWithUni(() -> pipeline.apply(List.of(scriptRequest(Command.EVAL, script.source(), keys, args), then)));
    }

    /** The script's reply once WAIT's count reached {@code required}. */
    private static Response durable(Response written, Response acknowledged, int required) {
        if (acknowledged.toLong() < required) {
            throw new NotDurableException(acknowledged.toLong(), required);
        }
        return written;
    }

    private Request waitFor(int replicaCount) {
        return Request.cmd(Command.WAIT).arg(replicaCount).arg(config.durability().waitTimeout().toMillis());
    }

    private static Request scriptRequest(Command command, String script, List<String> keys, List<String> args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        keys.forEach(request::arg);
        args.forEach(request::arg);
        return request;
    }

    /** NOSCRIPT, also as a batch reports it ("ERR [0] NOSCRIPT ..."): the server (a new master, say) lacks the script. */
    private static boolean isNoScript(Throwable failure) {
        return String.valueOf(failure.getMessage()).contains("NOSCRIPT");
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }

}
