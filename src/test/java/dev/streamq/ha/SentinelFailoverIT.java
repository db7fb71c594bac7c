package dev.streamq.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.RedisNode;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged service against real Sentinel topologies: kill -9 the master under a steady
 * load and check that the service follows the failover without a restart and loses no
 * acknowledged job. Prints the measured times; asserts the bounds stated in docs/sentinel.md.
 */
class SentinelFailoverIT {

    /** After Sentinel switches the master, the service must accept jobs again within this. */
    private static final long FOLLOW_BOUND_MS = 3_000;

    private static ServiceProcess service(Topology topology, Path dir, String name, String role) {
        return ServiceProcess.builder(ServiceProcess.defaultJar()).name(name).role(role).workDir(dir)
                .logFile(dir.resolve(name + ".log")).topology(topology)
                .env("STREAMQ_WORKER_VISIBILITY_TIMEOUT", "5s")
                .env("STREAMQ_WORKER_RECLAIM_INTERVAL", "1s")
                .env("STREAMQ_WORKER_LEASE_INTERVAL", "2s")
                .env("STREAMQ_WORKER_DISCOVERY_INTERVAL", "1s")
                .start().awaitReady(Duration.ofSeconds(60));
    }

    @Test
    void haTopologySurvivesThreeMasterKillsInARowWithoutLosingAJob() throws Exception {
        Path dir = Files.createTempDirectory("streamq-ha-");
        try (Topology topology = Topology.start(Topology.Shape.HA, dir);
                ServiceProcess api = service(topology, dir, "api", "api");
                ServiceProcess worker = service(topology, dir, "worker", "worker");
                Producer producer = new Producer(api.baseUrl(), Duration.ofMillis(20))) {
            List<String> measurements = new ArrayList<>();
            Producer.sleep(2_000);
            for (int round = 1; round <= 3; round++) {
                RedisNode master = topology.currentMaster();
                long killedAt = System.currentTimeMillis();
                master.kill9();
                Topology.Failover failover = topology.awaitFailover(master.port(), Duration.ofSeconds(30));
                long switchedAt = killedAt + failover.took().toMillis();
                assertNotEquals(master.port(), failover.newMaster().port());
                long deadline = System.currentTimeMillis() + 20_000;
                while (producer.firstAckAfter(switchedAt) < 0 && System.currentTimeMillis() < deadline) {
                    Producer.sleep(20);
                }
                long firstAck = producer.firstAckAfter(switchedAt);
                assertTrue(firstAck > 0, "no job accepted after failover " + round);
                long followMs = firstAck - switchedAt;
                measurements.add(String.format("failover %d: promotion %d ms after kill, first 2xx %d ms after promotion,"
                        + " submissions refused meanwhile %d", round, failover.took().toMillis(), followMs,
                        producer.refusalsBetween(killedAt, firstAck)));
                assertTrue(followMs <= FOLLOW_BOUND_MS, "service took " + followMs + " ms to follow failover " + round);
                // the old master comes back and must rejoin as a replica of the new one
                master.restart();
                topology.awaitReplica(master, Duration.ofSeconds(30));
                Producer.sleep(2_000);
            }
            producer.close();
            var acknowledged = producer.acknowledged();
            List<String> lost = Outcome.lost(api.baseUrl(), acknowledged, Duration.ofSeconds(60));
            int duplicated = Outcome.duplicated(List.of(worker));
            measurements.forEach(System.out::println);
            System.out.printf("acknowledged %d, lost %d, duplicated %d%n", acknowledged.size(), lost.size(), duplicated);
            assertTrue(acknowledged.size() > 100, "the load ran: " + acknowledged.size());
            Outcome.assertNoneLost(lost, acknowledged.size());
            assertEquals(3, worker.logEvents("redis_failover").size(), "the worker logged each failover");
            String metrics = Producer.text(worker.baseUrl() + "/q/metrics");
            assertTrue(metrics.contains("streamq_redis_failovers_total 3.0"), "failovers counted");
            assertTrue(metrics.contains("streamq_redis_unavailable_seconds_total"), "time without a master measured");
            assertTrue(metrics.contains("streamq_redis_errors_total{kind=\"connection\"}"), "errors counted by kind");
            assertEquals(3, api.logEvents("redis_failover").size(), "the API logged each failover");
        }
    }

    @Test
    void mvpTopologyFailsOverButNotWithoutItsSentinel() throws Exception {
        Path dir = Files.createTempDirectory("streamq-mvp-");
        try (Topology topology = Topology.start(Topology.Shape.MVP, dir);
                ServiceProcess app = service(topology, dir, "app", "all");
                Producer producer = new Producer(app.baseUrl(), Duration.ofMillis(20))) {
            Producer.sleep(1_500);
            // 1. The MVP fails over: its one sentinel (quorum 1) promotes the replica.
            RedisNode master = topology.currentMaster();
            master.kill9();
            Topology.Failover failover = topology.awaitFailover(master.port(), Duration.ofSeconds(30));
            System.out.println("mvp failover: promotion " + failover.took().toMillis() + " ms after kill");
            master.restart();
            topology.awaitReplica(master, Duration.ofSeconds(30));
            long switchedAt = System.currentTimeMillis();
            Producer.sleep(1_000);
            assertTrue(producer.firstAckAfter(switchedAt) > 0, "accepting jobs again after the MVP failover");

            // 2. What it cannot survive: the sentinel is down when the master dies. No failover,
            //    the service answers 503 (the producer keeps retrying), and recovers when the master returns.
            RedisNode current = topology.currentMaster();
            topology.sentinels().get(0).kill9();
            long outageStart = System.currentTimeMillis();
            current.kill9();
            Producer.sleep(4_000);
            assertTrue(producer.refusalsBetween(outageStart, System.currentTimeMillis()) > 0, "submissions were refused");
            assertEquals(-1, producer.firstAckAfter(outageStart + 1_000), "nothing accepted without a master");
            // The master returning is not enough: the client finds masters only through sentinels.
            current.restart();
            Producer.sleep(3_000);
            assertEquals(-1, producer.firstAckAfter(outageStart + 1_000), "no master is known while no sentinel runs");
            topology.sentinels().get(0).restart();
            long sentinelBackAt = System.currentTimeMillis();
            long deadline = sentinelBackAt + 20_000;
            while (producer.firstAckAfter(sentinelBackAt) < 0 && System.currentTimeMillis() < deadline) {
                Producer.sleep(20);
            }
            long recovered = producer.firstAckAfter(sentinelBackAt);
            assertTrue(recovered > 0, "accepting jobs again once master and sentinel are back");
            System.out.println("mvp without sentinel: unavailable " + (recovered - outageStart)
                    + " ms, sentinel restart to first 2xx " + (recovered - sentinelBackAt) + " ms");

            producer.close();
            var acknowledged = producer.acknowledged();
            List<String> lost = Outcome.lost(app.baseUrl(), acknowledged, Duration.ofSeconds(60));
            System.out.printf("mvp: acknowledged %d, lost %d, duplicated %d%n", acknowledged.size(), lost.size(),
                    Outcome.duplicated(List.of(app)));
            Outcome.assertNoneLost(lost, acknowledged.size());
        }
    }
}
