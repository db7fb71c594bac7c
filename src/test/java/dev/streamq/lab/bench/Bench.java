package dev.streamq.lab.bench;

import java.io.PrintStream;
import java.util.List;

public final class Bench {
    public static int run(List<String> args, PrintStream out) {
        out.println("bench: not yet implemented");
        return 2;
    }
}
