package dev.streamq.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A running streamq deployment on this machine: a redis {@link Topology} (or a
 * {@link RedisCluster}) plus the service processes that use it, laid out the way production
 * would run them.
 *
 * <ul>
 *   <li>SINGLE: one process with STREAMQ_ROLE=all (the laptop setup).</li>
 *   <li>MVP / HA: one API process (role api) and two worker processes (role worker), so that
 *       killing a worker shows another reclaiming its jobs.</li>
 * </ul>
 *
 * <p>Why separate from {@code lab up}: the drills run on the same deployment without going
 * through the command line.
 */
public final class Lab implements AutoCloseable {

    public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final RedisDeployment redis;
    private final List<ServiceProcess> services;
    private final ServiceProcess api;

    private Lab(RedisDeployment redis, List<ServiceProcess> services, ServiceProcess api) {
        this.redis = redis;
        this.services = List.copyOf(services);
        this.api = api;
    }

    /**
     * Starts the services on a running {@code redis} (which the lab then owns) and waits
     * until every one is ready: with {@code workers} 0 one process with role all, else one API
     * and that many workers. {@code env} is added to, and wins over, the redis settings.
     */
    public static Lab start(RedisDeployment redis, Path workDir, Path jar, int workers, Map<String, String> env) {
        List<ServiceProcess> services = new ArrayList<>();
        try {
            if (workers == 0) {
                services.add(service(jar, workDir, redis, env, "streamq", "all"));
            } else {
                services.add(service(jar, workDir, redis, env, "api", "api"));
                for (int i = 1; i <= workers; i++) {
                    services.add(service(jar, workDir, redis, env, "worker-" + i, "worker"));
                }
            }
            // Started together, awaited one by one: JVM start-up overlaps on 2 cores.
            for (ServiceProcess service : services) {
                service.awaitReady(READY_TIMEOUT);
            }
            return new Lab(redis, services, services.get(0));
        } catch (RuntimeException e) {
            services.forEach(ServiceProcess::close);
            redis.close();
            throw e;
        }
    }

    private static ServiceProcess service(Path jar, Path workDir, RedisDeployment redis, Map<String, String> env, String name,
            String role) {
        return ServiceProcess.builder(jar).name(name).role(role).redis(redis).env(env)
                .workDir(workDir).logFile(workDir.resolve("logs").resolve(name + ".log")).start();
    }

    /** The Sentinel topology; fails on a lab that runs a {@link RedisCluster}. */
    public Topology topology() {
        if (redis instanceof Topology topology) {
            return topology;
        }
        throw new IllegalStateException("this lab runs " + redis + ", not a Sentinel topology");
    }

    /** The Redis the services use, of any shape. */
    public RedisDeployment redis() {
        return redis;
    }

    /** Every service process, API first. */
    public List<ServiceProcess> services() {
        return services;
    }

    /** The process that serves the REST API (role api, or all for SINGLE). */
    public ServiceProcess api() {
        return api;
    }

    /** The processes that run jobs (role worker, or the one role-all process for SINGLE). */
    public List<ServiceProcess> workers() {
        List<ServiceProcess> workers = new ArrayList<>();
        for (ServiceProcess service : services) {
            if (!"api".equals(service.role())) {
                workers.add(service);
            }
        }
        return workers;
    }

    public JobsClient jobs() {
        return new JobsClient(api.baseUrl());
    }

    /** Services first (SIGTERM, so they hand jobs back), then redis and sentinels. */
    @Override
    public void close() {
        for (ServiceProcess service : services) {
            service.stop();
        }
        redis.close();
    }
}
