package dev.streamq.lab;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny blocking RESP2 client: one socket, one command at a time, hard timeouts.
 *
 * <p>Why not redis-cli: shelling out per probe costs a process spawn, loses the reply structure
 * and hangs without a timeout when a node is partitioned. Why not the app's Vert.x client: the
 * harness must stay independent of the code it tests and must not need an event loop.
 *
 * <p>Replies map to Java as: simple string / bulk string -> {@link String}, integer -> {@link Long},
 * nil -> {@code null}, array -> {@code List<Object>}. A top-level error reply throws
 * {@link RespError}; an error nested in an array (EXEC) is returned as a {@link RespError} element.
 * Not thread-safe: use one client per thread.
 */
public final class RespClient implements AutoCloseable {

    /** Default connect and read timeout: short, because probes run against nodes that may be dead. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RespClient(String host, int port, Duration timeout) {
        this(connected(host, port, timeout));
    }

    /**
     * Speaks RESP over a socket the caller connected (a TLS socket, for a server with only a
     * TLS port); the client owns it from here and closes it.
     */
    public RespClient(Socket socket) {
        this.socket = socket;
        try {
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + socket, e);
        }
    }

    private static Socket connected(String host, int port, Duration timeout) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return socket;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the connect failure is the one to report
            }
            throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
        }
    }

    /** Connects to 127.0.0.1:port with {@link #DEFAULT_TIMEOUT}. */
    public static RespClient connect(int port) {
        return new RespClient("127.0.0.1", port, DEFAULT_TIMEOUT);
    }

    /** Opens a connection, runs one command, closes. Convenient for probes of nodes that come and go. */
    public static Object once(int port, Duration timeout, String... args) {
        try (RespClient client = new RespClient("127.0.0.1", port, timeout)) {
            return client.call(args);
        }
    }

    /** Sends one command (as an array of bulk strings) and reads its reply. */
    public Object call(String... args) {
        try {
            out.write(encode(args));
            out.flush();
            Object reply = read();
            if (reply instanceof RespError) {
                throw (RespError) reply;
            }
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException("redis command " + args[0] + " failed", e);
        }
    }

    public String callString(String... args) {
        return (String) call(args);
    }

    public long callLong(String... args) {
        return (Long) call(args);
    }

    @SuppressWarnings("unchecked")
    public List<Object> callList(String... args) {
        Object reply = call(args);
        return reply == null ? List.of() : (List<Object>) reply;
    }

    /** INFO section parsed into key -> value ("role" -> "slave", "master_link_status" -> "up", ...). */
    public Map<String, String> info(String section) {
        return parseInfo(callString("INFO", section));
    }

    /** A flat [k1, v1, k2, v2, ...] array (SENTINEL masters / replicas entries) as an ordered map. */
    public static Map<String, String> pairs(Object flatArray) {
        Map<String, String> map = new LinkedHashMap<>();
        if (!(flatArray instanceof List<?> list)) {
            return map;
        }
        for (int i = 0; i + 1 < list.size(); i += 2) {
            map.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
        }
        return map;
    }

    /** Parses the "key:value" lines of an INFO reply; section headers and blank lines are skipped. */
    public static Map<String, String> parseInfo(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        if (text == null) {
            return map;
        }
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (line.isEmpty() || line.startsWith("#") || colon < 0) {
                continue;
            }
            map.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return map;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a probe socket cannot fail in a way the lab can act on.
        }
    }

    static byte[] encode(String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        writeAscii(buffer, "*" + args.length + "\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            writeAscii(buffer, "$" + bytes.length + "\r\n");
            buffer.writeBytes(bytes);
            writeAscii(buffer, "\r\n");
        }
        return buffer.toByteArray();
    }

    private static void writeAscii(ByteArrayOutputStream buffer, String s) {
        buffer.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by server");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new RespError(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(length);
                if (data.length < length) {
                    throw new EOFException("bulk string cut short");
                }
                readLine(); // trailing CRLF
                return new String(data, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                return Collections.unmodifiableList(items);
            }
            default:
                throw new IOException("unexpected RESP type byte '" + (char) type + "'");
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        // Bounded by the socket read timeout; a line longer than 1 MiB means a protocol error.
        for (int i = 0; i < (1 << 20); i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed mid-line");
            }
            if (b == '\r') {
                int lf = in.read();
                if (lf != '\n') {
                    throw new IOException("CR not followed by LF");
                }
                return sb.toString();
            }
            sb.append((char) b);
        }
        throw new IOException("RESP line too long");
    }

    /** An error reply from redis, e.g. "READONLY ..." or "NOREPLICAS ...". */
    public static final class RespError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RespError(String message) {
            super(message);
        }

        /** First word of the error: ERR, READONLY, NOREPLICAS, LOADING, MASTERDOWN ... */
        public String code() {
            String message = getMessage();
            int space = message.indexOf(' ');
            return space < 0 ? message : message.substring(0, space);
        }
    }
}
