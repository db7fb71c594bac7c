package dev.streamq.queue;

import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The replies of the scripts in src/main/resources/lua, one decoder per script, each reading
 * the "Output:" its script documents. The offsets and verdict words of a reply live here
 * and nowhere else.
 */
final class ScriptReplies {

    private ScriptReplies() {
    }

    /**
     * enqueue.lua: 3 per job (id, state, 1 replayed / 0 new) and a last element (see
     * {@link #enqueueFoundNoStream}), or {'conflict', i} for job i (1-based).
     */
    static List<Enqueued> enqueued(Response reply, QueueName queue) {
        if ("conflict".equals(reply.get(0).toString())) {
            throw new IdempotencyConflictException(reply.get(1).toInteger() - 1);
        }
        List<Enqueued> out = new ArrayList<>(reply.size() / 3);
        for (int i = 0; i + 2 < reply.size(); i += 3) {
            out.add(new Enqueued(reply.get(i).toString(), queue, reply.get(i + 1).toString(),
                    reply.get(i + 2).toInteger() == 1));
        }
        return out;
    }

    /** enqueue.lua's last element: 1 when the queue had no ready stream (new, or forgotten), so it must be registered. */
    static boolean enqueueFoundNoStream(Response reply) {
        return reply.get(reply.size() - 1).toInteger() == 1;
    }

    /**
     * start.lua: 8 per delivery, 'run', attempts, max_attempts, type, payload, created_at,
     * traceparent, tracestate, or 'stale' / 'gone' and padding: the attempt to run, or empty for
     * a retired delivery.
     */
    static List<Optional<Attempt>> started(Response reply, List<Delivery> deliveries) {
        List<Optional<Attempt>> out = new ArrayList<>(deliveries.size());
        for (int i = 0; i < deliveries.size(); i++) {
            int at = 8 * i;
            out.add("run".equals(reply.get(at).toString())
                    ? Optional.of(new Attempt(deliveries.get(i), reply.get(at + 1).toInteger(),
                            Integer.parseInt(reply.get(at + 2).toString()), reply.get(at + 3).toString(),
                            reply.get(at + 4).toString(), Long.parseLong(reply.get(at + 5).toString()),
                            trace(reply.get(at + 6).toString(), reply.get(at + 7).toString())))
                    : Optional.empty());
        }
        return out;
    }

    /** Most jobs carry no trace: they share one empty value instead of a new one each. */
    private static TraceHeaders trace(String traceparent, String tracestate) {
        return traceparent.isEmpty() ? TraceHeaders.NONE : new TraceHeaders(traceparent, tracestate);
    }

    /** fail.lua: 'retry', 'dead', 'stale' or 'gone'. */
    static Outcome outcome(Response reply) {
        return Outcome.of(reply.toString());
    }

    /** complete.lua: 'ok', 'duplicate' or 'gone' per completion, in order. */
    static List<Outcome> outcomes(Response reply) {
        List<Outcome> out = new ArrayList<>(reply.size());
        for (Response each : reply) {
            out.add(Outcome.of(each.toString()));
        }
        return out;
    }

    /** release.lua: 1 when handed back, 0 when the delivery was stale. */
    static boolean released(Response reply) {
        return reply.toInteger() == 1;
    }

    /** promote.lua: the number of jobs moved to the ready stream. */
    static int promoted(Response reply) {
        return reply.toInteger();
    }

    /** reclaim.lua: {flat (entry id, job id, abandoned attempt) triples taken over, flat (job id, attempt) pairs dead-lettered as poison}. */
    static Reclaimed reclaimed(Response reply, QueueName queue) {
        Response triples = reply.get(0);
        List<Reclaimed.Claim> claimed = new ArrayList<>();
        for (int i = 0; i + 2 < triples.size(); i += 3) {
            claimed.add(new Reclaimed.Claim(new Delivery(queue, triples.get(i).toString(), triples.get(i + 1).toString()),
                    triples.get(i + 2).toInteger()));
        }
        Response pairs = reply.get(1);
        List<Reclaimed.Poisoned> poisoned = new ArrayList<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            poisoned.add(new Reclaimed.Poisoned(pairs.get(i).toString(), pairs.get(i + 1).toInteger()));
        }
        return new Reclaimed(claimed, poisoned);
    }

    /** redrive.lua: the number of jobs sent back to the ready stream. */
    static long redriven(Response reply) {
        return reply.toLong();
    }

    /** stats.lua: {stream length, pending, lag, consumers, delayed, dead}; ready = length - pending. */
    static QueueDepth depth(Response reply, QueueName queue) {
        long length = reply.get(0).toLong();
        long pending = reply.get(1).toLong();
        return new QueueDepth(queue.value(), length - pending, pending, reply.get(4).toLong(), reply.get(5).toLong(),
                reply.get(2).toLong(), reply.get(3).toLong());
    }
}
