package dev.streamq.lab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * CPU of a JVM's JIT compiler threads (HotSpot names them "C1 CompilerThre…" and "C2 CompilerThre…"),
 * from /proc/PID/task: how much of a run's JVM CPU was still warming up rather than serving.
 * A process without such threads (node) reads 0.
 */
final class CompilerThreads {

    private CompilerThreads() {
    }

    /** utime + stime of the compiler threads in clock ticks (USER_HZ, 100 a second); -1 when unreadable. */
    static long ticks(long pid) {
        long sum = 0;
        try (var tasks = Files.newDirectoryStream(Paths.get("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    String st = Files.readString(task.resolve("stat"));
                    String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                    sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }
}
