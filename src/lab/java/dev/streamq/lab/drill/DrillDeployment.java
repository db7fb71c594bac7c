package dev.streamq.lab.drill;

import dev.streamq.lab.Lab;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.TcpProxy;
import dev.streamq.lab.Topology;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a drill runs against: the scenario's topology and a {@link Lab} of one API and two
 * worker processes, tuned for short drills (visibility timeout 5 s, the {@link BackoffCheck#POLICY} retries) and, for
 * the latency drill, the proxy the services reach Redis through.
 */
final class DrillDeployment implements AutoCloseable {

    private final Lab lab;
    private final TcpProxy proxy;

    private DrillDeployment(Lab lab, TcpProxy proxy) {
        this.lab = lab;
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
        Map<String, String> env = new LinkedHashMap<>();
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
        env.putAll(serviceTuning());
        DrillDeployment deployment;
        try {
            deployment = new DrillDeployment(Lab.start(topology, dir, config.jar, 2, env), proxy);
        } catch (RuntimeException e) {
            if (proxy != null) {
                proxy.close();
            }
            throw e;
        }
        journal.say("services ready: " + deployment.services());
        return deployment;
    }

    /** What every drill's services run with: short visibility timeout and intervals, the {@link BackoffCheck#POLICY} retries. */
    static Map<String, String> serviceTuning() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("STREAMQ_WORKER_VISIBILITY_TIMEOUT", "5s");
        env.put("STREAMQ_WORKER_LEASE_INTERVAL", "2s");
        env.put("STREAMQ_WORKER_RECLAIM_INTERVAL", "1s");
        env.put("STREAMQ_WORKER_DISCOVERY_INTERVAL", "1s");
        env.put("STREAMQ_WORKER_SHUTDOWN_GRACE", "2s");
        env.putAll(BackoffCheck.workerEnv());
        return env;
    }

    Topology topology() {
        return lab.topology();
    }

    /** The proxy in front of Redis (latency drill), else null. */
    TcpProxy proxy() {
        return proxy;
    }

    /** API first, then the workers. */
    List<ServiceProcess> services() {
        return lab.services();
    }

    ServiceProcess api() {
        return lab.api();
    }

    List<ServiceProcess> workers() {
        return lab.workers();
    }

    /** kill -9 the services (a drill has nothing to hand back), then the proxy and the topology. */
    @Override
    public void close() {
        for (ServiceProcess s : lab.services()) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // best effort: the Reaper kills whatever is left at JVM exit
            }
        }
        if (proxy != null) {
            proxy.close();
        }
        lab.close();
    }
}
