package dev.streamq.queue;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A stream entry id as Redis reads one: "ms-seq", each part an unsigned 64-bit number. */
public record StreamId(long millis, long sequence) {

    private static final Pattern SHAPE = Pattern.compile("(\\d{1,20})-(\\d{1,20})");
    /** Both parts at 2^64-1: no entry can follow it, and XRANGE refuses "(" before it. */
    private static final long MAX = -1L;

    /** Empty for anything Redis would refuse as an id ("ERR Invalid stream ID"). */
    public static Optional<StreamId> parse(String text) {
        Matcher m = text == null ? null : SHAPE.matcher(text);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new StreamId(Long.parseUnsignedLong(m.group(1)), Long.parseUnsignedLong(m.group(2))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** True for the greatest id: nothing comes after it. */
    public boolean isLast() {
        return millis == MAX && sequence == MAX;
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence);
    }
}
