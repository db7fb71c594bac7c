package dev.streamq.lab.drill;

import dev.streamq.lab.ServiceProcess;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/** Knobs of one drill run; {@link DrillCli} sets them from the command line, the ITs in code. */
public final class DrillConfig {
    public Duration duration = Duration.ofSeconds(60);
    public double rate = 50;
    /** The drill's job mix on a queue of its own before the measured load, to warm the fresh JVMs up ({@link WarmUp}). */
    public Duration warmUp = Duration.ofSeconds(5);
    public long seed = 1;
    public Path jar = ServiceProcess.defaultJar();
    public int clientThreads = 64;
    public Duration completionTimeout = Duration.ofSeconds(120);
    /** Share of the offered jobs (chosen by seed and index) that are {@code fail} jobs, to exercise retries. */
    public double failShare = 0.05;
    public PrintStream log = System.out;
    /** lagging-replica: how long the preferred replica's replication stream is held back before the kill. */
    public Duration hold = Duration.ofMillis(500);
    /** master-kill: consecutive master kills (a soak when more than one). */
    public int kills = 1;
    /** STREAMQ_DURABILITY_ALL_REPLICAS for the services; null leaves the shipped default. */
    public Boolean allReplicas;
    /** --observe: run a real Prometheus with the project's config and rules, and judge the alerts (AlertExpectations). */
    public boolean observe;
    /** Cluster drills: the shard (0..2, by first slot) whose master is killed or whose first queue's slot is moved. */
    public int shard;
}
