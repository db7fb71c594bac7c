package dev.streamq.redis;

import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a copy of the options Quarkus built the default Redis client with (password, TLS,
 * pool sizes), so that a client straight to one node can be made with the same settings.
 * Changes nothing.
 */
@Singleton
public class ConfiguredRedisOptions implements RedisOptionsCustomizer {

    /** Quarkus' name for the default client, the only one streamq configures. */
    private static final String DEFAULT_CLIENT = "<default>";

    /** scheme://[userinfo@]host[:port][/db][?params]: the host part may be a bracketed IPv6 address. */
    private static final Pattern ENDPOINT = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*@)?(?:\\[[^]]*\\]|[^/?#@:]*)(?::\\d*)?(.*)");

    private volatile RedisOptions options;

    @Override
    public void customize(String clientName, RedisOptions configured) {
        if (DEFAULT_CLIENT.equals(clientName)) {
            options = new RedisOptions(configured);
        }
    }

    /** True when the default client finds the master through sentinels. */
    public boolean viaSentinels() {
        RedisOptions captured = options;
        return captured != null && captured.getType() == RedisClientType.SENTINEL;
    }

    /**
     * True when the default client writes to masters that have replicas by design (Sentinel, a
     * static replication topology, or Redis Cluster, whose replicas take over a failed shard),
     * so a write may outlive its master only on a replica.
     */
    public boolean replicated() {
        RedisOptions captured = options;
        return captured != null && (captured.getType() == RedisClientType.SENTINEL
                || captured.getType() == RedisClientType.REPLICATION || captured.getType() == RedisClientType.CLUSTER);
    }

    /** True when the default client is a Redis Cluster client: keys of one command or pipeline must share a node. */
    public boolean clustered() {
        RedisOptions captured = options;
        return captured != null && captured.getType() == RedisClientType.CLUSTER;
    }

    /** The default client's options for talking to the sentinels themselves (SENTINEL commands); null when not via sentinels. */
    public RedisOptions sentinels() {
        return viaSentinels() ? new RedisOptions(options).setRole(RedisRole.SENTINEL).setMaxPoolSize(2) : null;
    }

    /** The configured endpoints (quarkus.redis.hosts): on Cluster, the seeds the slot map is first asked of. */
    public List<String> endpoints() {
        return options.getEndpoints();
    }

    /** The name of the master the sentinels watch (quarkus.redis.master-name). */
    public String masterName() {
        return options.getMasterName();
    }

    /**
     * The default client's options for a standalone client at {@code address} ("host:port"). The
     * URI keeps the configured endpoint's scheme (rediss:// for TLS), credentials, database and
     * parameters, as the Sentinel client does when it connects to the master it was told of:
     * only host and port change. A bare redis:// would drop TLS and a password given in the URI.
     */
    public RedisOptions standaloneAt(String address) {
        return new RedisOptions(options).setType(RedisClientType.STANDALONE)
                .setEndpoints(new ArrayList<>(List.of(at(options.getEndpoint(), address))));
    }

    /** {@code endpoint} with its host and port replaced by {@code address}. */
    static String at(String endpoint, String address) {
        Matcher m = ENDPOINT.matcher(endpoint == null ? "" : endpoint);
        if (!m.matches()) {
            return "redis://" + bracketed(address);
        }
        return m.group(1) + "://" + (m.group(2) == null ? "" : m.group(2)) + bracketed(address) + m.group(3);
    }

    /** A Redis URI needs an IPv6 host in brackets; CLIENT INFO's laddr has them, a bare "ip:port" may not. */
    static String bracketed(String address) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" + address.substring(colon) : address;
    }
}
