package dev.streamq.lab.bench;

import java.util.List;
import java.util.Map;

/**
 * One side of the side-by-side bench: the processes that take and run the jobs (a role=all
 * streamq JVM, or a BullMQ worker process), how the load client addresses them, and the side's
 * own record of when each job finished.
 */
interface Contender {

    /** "streamq" or "BullMQ 6.7.0": the table's column. */
    String name();

    /** What runs the jobs, for the CPU row: "streamq JVM (role=all)", "BullMQ worker (node)". */
    String service();

    /** Starts the processes of one round, consuming {@code queues}. */
    void start(List<String> queues);

    /** The side's own record of a job finished, for the report: "job_succeeded log time", "finishedOn". */
    String finishedRecord();

    /** How load.js submits to this side, for the report: "http keep-alive agent, maxSockets 50", "BullMQ Queue". */
    String submitsWith();

    /** load.js arguments that point it at this side. */
    List<String> target();

    /** True when at least {@code jobs} jobs of {@code queue} finished, per the side's own record. */
    boolean finished(String queue, long jobs);

    /** job id -> when it finished (epoch ms), per the side's own record. */
    Map<String, Long> finishedMillis(String queue);

    /** The process that runs the jobs, charged in the "service" CPU row (redis and the load client have rows of their own). */
    long servicePid();

    /** Stops what {@link #start} started. */
    void stop();
}
