package dev.streamq.lab.drill;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What a drill tells as it runs: progress lines, the marks its timeline shows (the fault, a
 * restart, a heal) and notes on how it was run. The report reads the marks and notes back.
 */
final class Journal {

    private final String drill;
    private final PrintStream log;
    private final List<DrillResult.Mark> marks = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Journal(String drill, PrintStream log) {
        this.drill = drill;
        this.log = log;
    }

    void say(String text) {
        log.printf("[%s] %s%n", drill, text);
    }

    /** Says {@code label} and marks the moment on the timeline. */
    synchronized void mark(String label) {
        marks.add(new DrillResult.Mark(System.currentTimeMillis(), label));
        say(label);
    }

    synchronized void note(String text) {
        notes.add(text);
    }

    synchronized List<DrillResult.Mark> marks() {
        return new ArrayList<>(marks);
    }

    synchronized List<String> notes() {
        return new ArrayList<>(notes);
    }

    PrintStream log() {
        return log;
    }
}
