package dev.streamq.lab;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A process the lab runs on a loopback port (a redis-server, a redis-sentinel, a service):
 * start, kill -9 and restart on the same port with the same command, stop, and where its log is.
 *
 * @param <T> the concrete kind, so that start() and restart() chain
 */
public abstract class LabProcess<T extends LabProcess<T>> implements AutoCloseable {

    private final int port;
    private final Path logFile;
    private final ManagedProcess process;
    private final Duration stopGrace;

    LabProcess(int port, Path logFile, ManagedProcess process, Duration stopGrace) {
        this.port = port;
        this.logFile = logFile;
        this.process = process;
        this.stopGrace = stopGrace;
    }

    /** Starts the process; {@link #started()} says what it waits for. */
    public T start() {
        process.start();
        started();
        return self();
    }

    /** Same port, same command and (appended) log; kills first if still running. */
    public T restart() {
        if (process.isAlive()) {
            process.kill9();
        }
        return start();
    }

    /** What {@link #start()} waits for after the launch; nothing by default. */
    void started() {
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    /** Fails when the process has exited, naming its log: a wait for it would be in vain. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name() + " exited with code " + process.exitCode() + ", see " + logFile);
        }
    }

    /** SIGKILL, like a crash or an OOM kill: nothing of the shutdown path runs. */
    public void kill9() {
        process.kill9();
    }

    /** SIGTERM, then SIGKILL if the process has not exited within its grace period. */
    public void stop() {
        process.stop(stopGrace);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public String name() {
        return process.name();
    }

    public Path logFile() {
        return logFile;
    }

    @Override
    public void close() {
        process.kill9();
    }
}
