package dev.streamq.lab;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Kills every process the lab started when the JVM exits, by PID.
 *
 * <p>Why: a test that fails half way, or Ctrl-C on {@code lab up --keep}, must not leave
 * redis-server / redis-sentinel / java processes holding ports on the machine (CI runs on the
 * same machine right after a session). One shutdown hook for all processes keeps this in one
 * place; each {@link ManagedProcess} registers itself while it runs. Only processes we started
 * are ever in this set, so nothing else on the machine is touched.
 */
final class Reaper {

    private static final Set<Process> LIVE = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private Reaper() {
    }

    static synchronized void register(Process process) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(Reaper::killAll, "lab-reaper"));
            hookInstalled = true;
        }
        LIVE.add(process);
    }

    static synchronized void unregister(Process process) {
        LIVE.remove(process);
    }

    /** SIGKILL everything still registered, youngest first (services before the redis they use). */
    static void killAll() {
        List<Process> snapshot;
        synchronized (Reaper.class) {
            snapshot = new ArrayList<>(LIVE);
            LIVE.clear();
        }
        for (int i = snapshot.size() - 1; i >= 0; i--) {
            snapshot.get(i).destroyForcibly();
        }
        for (Process process : snapshot) {
            try {
                process.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
