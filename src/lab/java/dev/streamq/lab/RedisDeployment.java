package dev.streamq.lab;

import java.util.Map;

/**
 * The Redis a {@link Lab}'s services are pointed at, whatever its shape: a Sentinel
 * {@link Topology} or a {@link RedisCluster}. The services learn it only from environment
 * variables, as a pod would, so this is all a {@link Lab} needs of it.
 */
public interface RedisDeployment extends AutoCloseable {

    /** QUARKUS_REDIS_* (hosts, client type, ...) for a service process using this Redis. */
    Map<String, String> serviceEnv();

    /** Kills every process of this Redis by PID. */
    @Override
    void close();
}
