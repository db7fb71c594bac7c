package dev.streamq.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Owns one OS child process: start with a fixed command line, output appended to a file,
 * stop with SIGTERM or SIGKILL by PID, start again with the very same command.
 *
 * <p>Why a separate class: redis-server, redis-sentinel and the service all need the same
 * start/kill/restart mechanics, and the kill-by-PID-only rule (never pkill) lives here once.
 */
final class ManagedProcess {

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path workDir;
    private final Path outputFile;
    private Process process;

    ManagedProcess(String name, List<String> command, Map<String, String> env, Path workDir, Path outputFile) {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.workDir = workDir;
        this.outputFile = outputFile;
    }

    synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running as pid " + process.pid());
        }
        try {
            Files.createDirectories(outputFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(env);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
        Reaper.register(process);
    }

    synchronized long pid() {
        requireStarted();
        return process.pid();
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown path runs, exactly like a crashed pod or an OOM kill. */
    void kill9() {
        Process p = current();
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        awaitExit(p, Duration.ofSeconds(10));
    }

    /** SIGTERM, then SIGKILL if the process has not exited within {@code grace}. */
    void stop(Duration grace) {
        Process p = current();
        if (p == null) {
            return;
        }
        p.destroy();
        if (!awaitExit(p, grace)) {
            p.destroyForcibly();
            awaitExit(p, Duration.ofSeconds(10));
        }
    }

    /** Exit code of the last run, or null while running / never started. */
    synchronized Integer exitCode() {
        if (process == null || process.isAlive()) {
            return null;
        }
        return process.exitValue();
    }

    String name() {
        return name;
    }

    Path outputFile() {
        return outputFile;
    }

    private synchronized Process current() {
        return process;
    }

    private boolean awaitExit(Process p, Duration timeout) {
        try {
            boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) {
                Reaper.unregister(p);
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
    }
}
