package dev.streamq.lab.drill;

import dev.streamq.lab.Await;
import dev.streamq.lab.CpuHog;
import dev.streamq.lab.NetPartition;
import dev.streamq.lab.RedisNode;
import dev.streamq.lab.RespClient;
import dev.streamq.lab.SentinelNode;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.TcpProxy;
import dev.streamq.log.Event;
import dev.streamq.lab.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The fault of each scenario, applied to a running {@link DrillDeployment}, and its heal. Every
 * step is marked in the {@link Journal}, so the report's timeline shows what was done when.
 */
final class Faults implements AutoCloseable {

    private final Scenario scenario;
    private final DrillConfig config;
    private final DrillDeployment deployment;
    private final Topology topology;
    private final Journal journal;
    private final List<DrillResult.Kill> kills = new ArrayList<>();
    private NetPartition partition;
    private TcpProxy laggardLink;
    private RedisNode killedMaster;
    private boolean healed;
    private String promoted;
    private Boolean promotedLaggard;

    Faults(Scenario scenario, DrillConfig config, DrillDeployment deployment, Journal journal) {
        this.scenario = scenario;
        this.config = config;
        this.deployment = deployment;
        this.topology = deployment.topology();
        this.journal = journal;
    }

    /** Applies the scenario's fault; {@code loadEnd} is when the drill plans to stop the load. */
    void apply(long loadEnd) {
        switch (scenario) {
            case MASTER_KILL -> {
                for (int kill = 1; kill <= config.kills; kill++) {
                    killInSoak(kill);
                }
            }
            case MVP_MASTER_KILL -> killMasterAndRejoin();
            case LAGGING_REPLICA -> lagThenKillMaster();
            case WORKER_KILL -> killAndRestart(deployment.workers().get(0), true);
            case API_KILL -> killAndRestart(deployment.api(), false);
            case SENTINEL_KILL -> {
                SentinelNode sentinel = topology.sentinels().get(0);
                journal.mark("kill -9 " + sentinel.name());
                sentinel.kill9();
                Await.sleep(Duration.ofSeconds(2));
                killMasterAndRejoin();
            }
            case PARTITION -> partitionMaster();
            case LATENCY -> addLatency(loadEnd);
            default -> throw new IllegalStateException();
        }
    }

    /** kill -9 a service, start it again a second later; a worker only once it has taken jobs. */
    private void killAndRestart(ServiceProcess victim, boolean worker) {
        if (worker) {
            Await.condition(victim.name() + " to run jobs", Duration.ofSeconds(10), Duration.ofMillis(200),
                    () -> !victim.logEvents(Event.JOB_STARTED.key()).isEmpty());
        }
        journal.mark("kill -9 " + (worker ? victim.name() : "api") + " (pid " + victim.pid() + ")");
        victim.kill9();
        Await.sleep(Duration.ofSeconds(1));
        victim.restart();
        journal.mark("restarted " + victim.name());
        victim.awaitReady(Duration.ofSeconds(60));
        journal.mark(victim.name() + " ready");
    }

    private void addLatency(long loadEnd) {
        TcpProxy proxy = deployment.proxy();
        journal.mark("latency +200 ms/round trip");
        proxy.setLatency(Duration.ofMillis(100));
        Await.sleep(Duration.ofMillis(Math.max(5000, (loadEnd - System.currentTimeMillis()) / 2)));
        proxy.setLatency(Duration.ZERO);
        journal.mark("latency removed");
        healed = true;
    }

    private void killMasterAndRejoin() {
        RedisNode master = topology.currentMaster();
        killedMaster = master;
        journal.mark("kill -9 master " + master.name() + ":" + master.port());
        master.kill9();
        Topology.Failover failover = topology.awaitFailover(master.port(), Duration.ofSeconds(60));
        journal.mark("failover to " + failover.newMaster().name() + " seen after " + failover.took().toMillis() + " ms");
        restartOldMaster(master);
    }

    private void restartOldMaster(RedisNode master) {
        master.restart();
        journal.mark("restarted old master " + master.name());
        topology.awaitSettled(Duration.ofSeconds(60));
        journal.mark(master.name() + " rejoined; replicas linked to " + topology.currentMaster().name());
        healed = true;
    }

    /** Kill number {@code kill} of a master-kill run; with several, every second one runs under a CPU hog. */
    private void killInSoak(int kill) {
        if (config.kills == 1) {
            killMasterAndRejoin();
            return;
        }
        boolean hogged = kill % 2 == 0;
        long at = System.currentTimeMillis();
        try (CpuHog hog = hogged ? CpuHog.start(Runtime.getRuntime().availableProcessors()) : null) {
            killMasterAndRejoin();
            // Steady load on the new topology before the next kill, so each kill starts from a settled state.
            Await.sleep(Duration.ofSeconds(2));
        }
        kills.add(new DrillResult.Kill(kill, at, hogged, killedMaster.name()));
    }

    /**
     * The window WAIT 1 of 2 leaves open: the replica Sentinel prefers lags (its replication
     * stream runs through a proxy that stops forwarding), the master dies while it lags, and
     * what the proxy held is dropped with the connection, as it is when a master dies with bytes
     * in flight to a slow replica.
     */
    private void lagThenKillMaster() {
        RedisNode master = topology.currentMaster();
        RedisNode laggard = topology.nodes().get(1);
        laggardLink = TcpProxy.start(master.port());
        try (RespClient client = laggard.client()) {
            // Same master, another port: the replica continues with a partial resync through the proxy.
            client.call("REPLICAOF", "127.0.0.1", String.valueOf(laggardLink.port()));
        }
        Await.condition(laggard.name() + " to replicate through the proxy", Duration.ofSeconds(15), Duration.ofMillis(50),
                () -> laggard.isReplicaLinkUp() && laggardLink.activeConnections() > 0);
        master.awaitReplicaAcks(2, Duration.ofSeconds(15));
        journal.mark("hold back " + laggard.name() + "'s replication stream for " + config.hold.toMillis() + " ms");
        laggardLink.blackhole();
        Await.sleep(config.hold);
        killedMaster = master;
        journal.mark("kill -9 master " + master.name() + ":" + master.port() + " while " + laggard.name() + " lags");
        master.kill9();
        laggardLink.cut();
        Topology.Failover failover = topology.awaitFailover(master.port(), Duration.ofSeconds(60));
        promoted = failover.newMaster().name();
        promotedLaggard = failover.newMaster() == laggard;
        journal.mark("failover to " + promoted + (promotedLaggard ? " (the laggard)" : " (not the laggard)") + " seen after "
                + failover.took().toMillis() + " ms");
        laggardLink.close();
        restartOldMaster(master);
    }

    private void partitionMaster() {
        RedisNode master = topology.currentMaster();
        killedMaster = master;
        if (!NetPartition.available()) {
            journal.note("partition: NetPartition unavailable (" + NetPartition.unavailableReason()
                    + "); fell back to killing the master (TcpProxy.cut cannot partition a sentinel-discovered master)");
            killMasterAndRejoin();
            return;
        }
        partition = new NetPartition();
        journal.note("partition: NetPartition (iptables DROP on 127.0.0.1:" + master.port()
                + ") isolated the master from clients, replicas and sentinels");
        journal.mark("partition master " + master.name() + ":" + master.port());
        partition.isolate(master.port());
        Topology.Failover failover = topology.awaitFailover(master.port(), Duration.ofSeconds(60));
        journal.mark("failover to " + failover.newMaster().name() + " seen after " + failover.took().toMillis() + " ms");
        // Keep the old master cut off a little longer: its min-replicas-to-write must refuse writes.
        Await.sleep(Duration.ofSeconds(3));
        partition.heal();
        journal.mark("partition healed");
        topology.awaitSettled(Duration.ofSeconds(60));
        journal.mark(master.name() + " rejoined; replicas linked to " + topology.currentMaster().name());
        healed = true;
    }

    /** Undoes a fault the drill's steps did not heal (a drill cut short by an error). */
    void heal() {
        if (healed) {
            return;
        }
        if (partition != null) {
            partition.heal();
        }
        if (deployment.proxy() != null) {
            deployment.proxy().setLatency(Duration.ZERO);
        }
        healed = true;
    }

    /** master-kill --kills N: one row per kill. */
    List<DrillResult.Kill> kills() {
        return kills;
    }

    /** lagging-replica: the node Sentinel promoted (else null), and whether it was the laggard. */
    String promoted() {
        return promoted;
    }

    Boolean promotedLaggard() {
        return promotedLaggard;
    }

    @Override
    public void close() {
        if (partition != null) {
            partition.close();
        }
        if (laggardLink != null) {
            laggardLink.close();
        }
    }
}
