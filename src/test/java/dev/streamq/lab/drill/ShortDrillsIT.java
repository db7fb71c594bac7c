package dev.streamq.lab.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streamq.lab.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Short (20 s of load each) versions of the HA drills against real redis, sentinel and streamq
 * processes: no acknowledged job may be lost and service must come back. The full-length runs
 * are {@code deploy/local/lab drills}. Needs the packaged app: run {@code mvn -DskipTests package}
 * first (CI does). Reports land in target/drills/short/.
 */
@Tag("drill")
class ShortDrillsIT {

    private static final Path OUT = Paths.get("target", "drills", "short");
    private static final List<DrillResult> RESULTS = new ArrayList<>();

    @BeforeAll
    static void requireJar() {
        Path jar = ServiceProcess.defaultJar();
        if (!Files.isRegularFile(jar)) {
            fail(jar.toAbsolutePath() + " is missing: ShortDrillsIT runs the packaged app as separate processes. "
                    + "Build it first with 'mvn -B -DskipTests package', then run the tests.");
        }
    }

    @AfterAll
    static void summary() {
        if (!RESULTS.isEmpty()) {
            DrillReport.writeSummary(OUT, RESULTS);
        }
    }

    private static DrillResult run(Drill.Scenario scenario) {
        Drill.Config config = new Drill.Config();
        config.duration = Duration.ofSeconds(20);
        config.rate = 40;
        config.seed = 42;
        config.completionTimeout = Duration.ofSeconds(60);
        DrillResult r = Drill.run(scenario, config, OUT.resolve(scenario.id() + "-work"));
        DrillReport.writeDrill(OUT, r);
        RESULTS.add(r);
        assertNull(r.error, scenario.id() + " crashed: " + r.error);
        assertTrue(r.acknowledged > 0, "no job acknowledged in " + scenario.id());
        assertEquals(0, r.lost, scenario.id() + " lost acknowledged jobs " + r.lostIds + " " + r.lostStates);
        assertTrue(r.recovered, scenario.id() + " did not recover: " + r.failureReasons);
        assertEquals(0, r.idempotencyConflicts, "a key was answered with two different job ids");
        return r;
    }

    @Test
    @Timeout(120)
    void masterKill() {
        DrillResult r = run(Drill.Scenario.MASTER_KILL);
        assertTrue(r.sentinelEvents.stream().anyMatch(e -> e.contains("+switch-master")), "no +switch-master");
    }

    @Test
    @Timeout(120)
    void workerKill() {
        run(Drill.Scenario.WORKER_KILL);
    }

    @Test
    @Timeout(120)
    void apiKill() {
        run(Drill.Scenario.API_KILL);
    }

    @Test
    @Timeout(120)
    void sentinelKill() {
        DrillResult r = run(Drill.Scenario.SENTINEL_KILL);
        assertTrue(r.sentinelEvents.stream().anyMatch(e -> e.contains("+switch-master")), "no +switch-master");
    }
}
