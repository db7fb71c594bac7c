package dev.streamq.lab;

import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/** The lab verbs' {@code --name value} options, one pair at a time, and the flags a verb names (no value). */
public final class OptionPairs {

    private OptionPairs() {
    }

    /** Calls {@code option} with each name and its value (null for a flag); a name without a value is refused. */
    public static void forEach(List<String> args, Set<String> flags, BiConsumer<String, String> option) {
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i);
            if (flags.contains(name)) {
                option.accept(name, null);
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            option.accept(name, args.get(++i));
        }
    }
}
