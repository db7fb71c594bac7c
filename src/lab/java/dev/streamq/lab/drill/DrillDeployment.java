package dev.streamq.lab.drill;

import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.TcpProxy;
import dev.streamq.lab.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a drill runs against: the scenario's topology, one API and two worker processes tuned
 * for short drills (visibility timeout 5 s, the {@link BackoffCheck#POLICY} retries) and, for
 * the latency drill, the proxy the services reach Redis through.
 */
final class DrillDeployment implements AutoCloseable {

    private final Topology topology;
    private final TcpProxy proxy;
    private final List<ServiceProcess> services = new ArrayList<>();

    private DrillDeployment(Topology topology, TcpProxy proxy) {
        this.topology = topology;
        this.proxy = proxy;
    }

    /** Starts everything under {@code dir} and waits until every service is ready. */
    static DrillDeployment start(Scenario scenario, DrillConfig config, Path dir, Journal journal) {
        journal.say("starting " + scenario.shape() + " topology in " + dir);
        Topology.Options options = new Topology.Options();
        if (scenario == Scenario.LAGGING_REPLICA) {
            options.preferFirstReplica();
        }
        Topology topology = Topology.start(scenario.shape(), dir.resolve("redis"), options);
        Map<String, String> env = new LinkedHashMap<>(topology.serviceEnv());
        if (config.allReplicas != null) {
            env.put("STREAMQ_DURABILITY_ALL_REPLICAS", config.allReplicas.toString());
            journal.note("durability: STREAMQ_DURABILITY_ALL_REPLICAS=" + config.allReplicas
                    + " (no STREAMQ_DURABILITY_MIN_REPLICAS; Redis min-replicas-to-write " + topology.minReplicas() + ")");
        }
        TcpProxy proxy = null;
        if (scenario == Scenario.LATENCY) {
            // Sentinel would hand the client the real master address, bypassing any proxy; so the
            // latency drill runs SINGLE and the services connect standalone to the proxy port.
            proxy = TcpProxy.start(topology.currentMaster().port());
            env.put("QUARKUS_REDIS_HOSTS", proxy.uri());
            env.put("QUARKUS_REDIS_CLIENT_TYPE", "standalone");
            journal.note("latency: SINGLE topology, services connect standalone to a TcpProxy on port " + proxy.port()
                    + " in front of redis " + proxy.targetPort() + "; sentinel would announce the real address");
        }
        env.put("STREAMQ_WORKER_VISIBILITY_TIMEOUT", "5s");
        env.put("STREAMQ_WORKER_LEASE_INTERVAL", "2s");
        env.put("STREAMQ_WORKER_RECLAIM_INTERVAL", "1s");
        env.put("STREAMQ_WORKER_DISCOVERY_INTERVAL", "1s");
        env.put("STREAMQ_WORKER_SHUTDOWN_GRACE", "2s");
        env.putAll(BackoffCheck.workerEnv());
        DrillDeployment deployment = new DrillDeployment(topology, proxy);
        try {
            for (String[] nameRole : new String[][] {{"api", "api"}, {"worker-1", "worker"}, {"worker-2", "worker"}}) {
                deployment.services.add(ServiceProcess.builder(config.jar).name(nameRole[0]).role(nameRole[1]).env(env)
                        .workDir(dir).logFile(dir.resolve("logs").resolve(nameRole[0] + ".log")).start());
            }
            for (ServiceProcess s : deployment.services) {
                s.awaitReady(Duration.ofSeconds(90));
            }
        } catch (RuntimeException e) {
            deployment.close();
            throw e;
        }
        journal.say("services ready: " + deployment.services);
        return deployment;
    }

    Topology topology() {
        return topology;
    }

    /** The proxy in front of Redis (latency drill), else null. */
    TcpProxy proxy() {
        return proxy;
    }

    /** API first, then the workers. */
    List<ServiceProcess> services() {
        return services;
    }

    ServiceProcess api() {
        return services.get(0);
    }

    List<ServiceProcess> workers() {
        return services.subList(1, services.size());
    }

    @Override
    public void close() {
        for (ServiceProcess s : services) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // best effort: the Reaper kills whatever is left at JVM exit
            }
        }
        if (proxy != null) {
            proxy.close();
        }
        topology.close();
    }
}
