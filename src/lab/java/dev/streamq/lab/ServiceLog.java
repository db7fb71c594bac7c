package dev.streamq.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.log.LogField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The one reader of a service's JSON log (one object a line): it reads on from where its last
 * read stopped, whole lines only, so that polling a log of millions of lines stays cheap and a
 * restarted process appending to the same file is read on seamlessly. Lines that are not an
 * event (a JVM crash message, a line cut by kill -9) are skipped.
 */
public final class ServiceLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Read size; a line longer than this is no event line and is skipped. */
    private static final int BUFFER = 8 << 20;

    private final Path file;
    private final Set<String> events;
    private long position;

    /** A reader of the events named {@code events} (every event when empty). */
    public ServiceLog(Path file, Set<String> events) {
        this.file = file;
        this.events = Set.copyOf(events);
    }

    /** Every event logged so far, read from the start. */
    public static List<LogEvent> readAll(Path file) {
        return new ServiceLog(file, Set.of()).readOn();
    }

    /** The events appended since the last call, oldest first. */
    public synchronized List<LogEvent> readOn() {
        List<LogEvent> read = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            byte[] carry = new byte[0];
            while (position + carry.length < channel.size()) {
                buffer.clear();
                buffer.put(carry);
                if (channel.read(buffer, position + carry.length) <= 0) {
                    break;
                }
                byte[] bytes = Arrays.copyOf(buffer.array(), buffer.position());
                int lineStart = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '\n') {
                        accept(new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8), read);
                        lineStart = i + 1;
                    }
                }
                position += lineStart;
                carry = Arrays.copyOfRange(bytes, lineStart, bytes.length);
                if (carry.length == BUFFER) {
                    position += carry.length;
                    carry = new byte[0];
                }
            }
        } catch (NoSuchFileException e) {
            // the process has not written yet
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return read;
    }

    private void accept(String line, List<LogEvent> read) {
        // Parse only lines that can hold a wanted event: a busy worker logs millions.
        if (!events.isEmpty() && events.stream().noneMatch(e -> line.contains("\"" + e + "\""))) {
            return;
        }
        LogEvent event = parse(line);
        if (event != null && (events.isEmpty() || events.contains(event.event()))) {
            read.add(event);
        }
    }

    /** One log line as an event; null when it is not JSON or carries no event. */
    public static LogEvent parse(String line) {
        if (!line.startsWith("{")) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
        JsonNode mdc = node.path("mdc");
        String event = mdc.path(LogField.EVENT.key()).asText(null);
        if (event == null) {
            return null;
        }
        long time;
        try {
            time = Instant.parse(node.path("timestamp").asText()).toEpochMilli();
        } catch (RuntimeException e) {
            return null;
        }
        return new LogEvent(time, event, mdc.path(LogField.QUEUE.key()).asText(null),
                mdc.path(LogField.JOB_ID.key()).asText(null), mdc.path(LogField.ATTEMPT.key()).asInt(0),
                mdc.path(LogField.ERROR.key()).asText(null), mdc.path(LogField.REASON.key()).asText(null),
                node.path("message").asText(""));
    }
}
