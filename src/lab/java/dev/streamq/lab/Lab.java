package dev.streamq.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A running streamq deployment on this machine: a redis {@link Topology} plus the service
 * processes that use it, laid out the way production would run them.
 *
 * <ul>
 *   <li>SINGLE: one process with STREAMQ_ROLE=all (the laptop setup).</li>
 *   <li>MVP / HA: one API process (role api) and two worker processes (role worker), so that
 *       killing a worker shows another reclaiming its jobs.</li>
 * </ul>
 *
 * <p>Why separate from {@code lab up}: drills and benches build on the same deployment without
 * going through the command line.
 */
public final class Lab implements AutoCloseable {

    public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Topology topology;
    private final List<ServiceProcess> services;
    private final ServiceProcess api;

    private Lab(Topology topology, List<ServiceProcess> services, ServiceProcess api) {
        this.topology = topology;
        this.services = List.copyOf(services);
        this.api = api;
    }

    /** Starts topology and services under {@code workDir} and waits until every service is ready. */
    public static Lab start(Topology.Shape shape, Path workDir, Path jar) {
        return start(shape, workDir, jar, new Topology.Options(), shape == Topology.Shape.SINGLE ? 0 : 2);
    }

    /** As {@link #start(Topology.Shape, Path, Path)} with topology options and a worker count (ignored for SINGLE). */
    public static Lab start(Topology.Shape shape, Path workDir, Path jar, Topology.Options options, int workers) {
        Topology topology = Topology.start(shape, workDir.resolve("redis"), options);
        List<ServiceProcess> services = new ArrayList<>();
        try {
            ServiceProcess api;
            if (shape == Topology.Shape.SINGLE) {
                api = service(jar, workDir, topology, "streamq", "all");
                services.add(api);
            } else {
                api = service(jar, workDir, topology, "api", "api");
                services.add(api);
                for (int i = 1; i <= workers; i++) {
                    services.add(service(jar, workDir, topology, "worker-" + i, "worker"));
                }
            }
            // Started together, awaited one by one: JVM start-up overlaps on 2 cores.
            for (ServiceProcess service : services) {
                service.awaitReady(READY_TIMEOUT);
            }
            return new Lab(topology, services, api);
        } catch (RuntimeException e) {
            services.forEach(ServiceProcess::close);
            topology.close();
            throw e;
        }
    }

    private static ServiceProcess service(Path jar, Path workDir, Topology topology, String name, String role) {
        return ServiceProcess.builder(jar).name(name).role(role).topology(topology)
                .workDir(workDir).logFile(workDir.resolve("logs").resolve(name + ".log")).start();
    }

    public Topology topology() {
        return topology;
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
        topology.close();
    }
}
