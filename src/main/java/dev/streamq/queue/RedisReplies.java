package dev.streamq.queue;

import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the replies of the plain commands Broker sends (HGETALL, XRANGE, XREADGROUP) in both
 * protocols: RESP3 answers maps where RESP2 answers flat arrays.
 */
final class RedisReplies {

    /** A stream entry: its id and its field/value pairs. */
    record Entry(String id, Map<String, String> fields) {
    }

    private RedisReplies() {
    }

    /** HGETALL and other field/value replies; empty for nil or an empty hash. */
    static Map<String, String> toMap(Response reply) {
        Map<String, String> map = new HashMap<>();
        if (reply == null) {
            return map;
        }
        for (String key : reply.getKeys()) {
            Response value = reply.get(key);
            map.put(key, value == null ? null : value.toString());
        }
        return map;
    }

    /** XRANGE / XREVRANGE: [[id, [field, value, ...]], ...]. */
    static List<Entry> entries(Response reply) {
        List<Entry> out = new ArrayList<>();
        if (reply == null) {
            return out;
        }
        for (Response entry : reply) {
            Response fields = entry.get(1);
            Map<String, String> map = new HashMap<>();
            if (fields != null) {
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    map.put(fields.get(i).toString(), fields.get(i + 1).toString());
                }
            }
            out.add(new Entry(entry.get(0).toString(), map));
        }
        return out;
    }

    /**
     * The entries of every stream in an XREADGROUP reply: nil when the block timed out, a map
     * of stream to entries in RESP3, an array of [stream, entries] pairs in RESP2.
     */
    static Map<String, List<Entry>> entriesByStream(Response reply) {
        Map<String, List<Entry>> out = new HashMap<>();
        if (reply == null) {
            return out;
        }
        if (reply.isMap()) {
            for (String stream : reply.getKeys()) {
                out.put(stream, entries(reply.get(stream)));
            }
            return out;
        }
        for (Response pair : reply) {
            out.put(pair.get(0).toString(), entries(pair.get(1)));
        }
        return out;
    }

    /** The score of a ZRANGE ... 0 0 WITHSCORES reply ([member, score] in RESP2, [[member, score]] in RESP3); null when empty. */
    static Long firstScore(Response reply) {
        if (reply == null || reply.size() == 0) {
            return null;
        }
        Response score = reply.size() == 1 ? reply.get(0).get(1) : reply.get(1);
        return (long) Double.parseDouble(score.toString());
    }
}
