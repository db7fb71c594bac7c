package dev.streamq.core;

import dev.streamq.lab.RespClient;
import java.util.UUID;

/** Jobs left behind the way a worker that died mid-job leaves them, for reclaim tests. */
public final class AbandonedJob {

    private AbandonedJob() {
    }

    /**
     * Leaves a job exactly as a worker that died mid-job leaves it: running, its entry read by
     * a consumer that will never acknowledge it (delivered {@code deliveries} times). One
     * script, so the live workers cannot read the entry first. Returns the job id.
     */
    public static String leave(RespClient redis, String queue, int deliveries) {
        String id = leaveInSlot(redis, queue, deliveries);
        redis.call("SADD", "streamq:queues", queue);
        return id;
    }

    /**
     * The same without registering the queue: on Redis Cluster {@code redis} is the master of the
     * queue's slot, and the registry {@code streamq:queues} may live on another shard.
     */
    public static String leaveInSlot(RespClient redis, String queue, int deliveries) {
        String id = queue + "~" + UUID.randomUUID();
        String script = """
                local e = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'type', 'noop')
                pcall(redis.call, 'XGROUP', 'CREATE', KEYS[1], 'workers', '0')
                redis.call('XREADGROUP', 'GROUP', 'workers', 'dead-worker', 'COUNT', 1000, 'STREAMS', KEYS[1], '>')
                redis.call('XCLAIM', KEYS[1], 'workers', 'dead-worker', 0, e, 'RETRYCOUNT', ARGV[2])
                redis.call('HSET', KEYS[2], 'id', ARGV[1], 'type', 'noop', 'payload', '{}', 'state', 'running',
                  'attempts', 1, 'max_attempts', 10, 'created_at', ARGV[3], 'run_at', 0, 'updated_at', ARGV[3], 'entry', e)
                return e
                """;
        redis.call("EVAL", script, "2", "streamq:{" + queue + "}:ready", "streamq:{" + queue + "}:job:" + id,
                id, Integer.toString(deliveries), Long.toString(System.currentTimeMillis()));
        return id;
    }
}
