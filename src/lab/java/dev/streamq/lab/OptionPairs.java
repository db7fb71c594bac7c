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

    /** An option's value as a whole number of at least 1. */
    public static int positive(String option, String value) {
        return atLeast(option, value, 1);
    }

    /** An option's value as a whole number of at least 0. */
    public static int nonNegative(String option, String value) {
        return atLeast(option, value, 0);
    }

    private static int atLeast(String option, String value, int min) {
        int n = Integer.parseInt(value);
        if (n < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", not " + n);
        }
        return n;
    }

    /** An option's value as a number above 0. */
    public static double positiveNumber(String option, String value) {
        double x = Double.parseDouble(value);
        if (!(x > 0)) {
            throw new IllegalArgumentException(option + " must be above 0, not " + value);
        }
        return x;
    }

    /** An option's value as a fraction of a core, in (0, 1]. */
    public static double fraction(String option, String value) {
        double x = Double.parseDouble(value);
        if (!(x > 0 && x <= 1)) {
            throw new IllegalArgumentException(option + " is a fraction of a core, in (0, 1], not " + value);
        }
        return x;
    }
}
