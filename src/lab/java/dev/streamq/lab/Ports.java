package dev.streamq.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out free TCP ports on 127.0.0.1.
 *
 * <p>Why not simply {@code new ServerSocket(0)}: that returns a port from the kernel's ephemeral
 * range (32768-60999 on Linux), the same range outgoing client connections draw their local
 * port from. A lab restarts redis on the same port after kill -9; if a client connection had
 * meanwhile been given that port as its local port, the restart would fail with EADDRINUSE.
 * So ports are drawn at random below the ephemeral range, checked by binding, and never handed
 * out twice by this JVM (random start also keeps two lab JVMs running side by side apart).
 */
public final class Ports {

    /** Inclusive lower bound of the range we draw from: above well-known/registered hot spots. */
    static final int LOW = 20000;
    /** Exclusive upper bound: the default start of Linux' ephemeral port range. */
    static final int HIGH = 32000;

    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {
    }

    /** A port on 127.0.0.1 that was free a moment ago and that this JVM has not handed out before. */
    public static synchronized int free() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        // Bounded: 2000 tries over a 12000-port range; failing means the machine is saturated.
        for (int attempt = 0; attempt < 2000; attempt++) {
            int port = random.nextInt(LOW, HIGH);
            if (HANDED_OUT.contains(port) || !isFree(port)) {
                continue;
            }
            HANDED_OUT.add(port);
            return port;
        }
        throw new IllegalStateException("no free loopback port found in " + LOW + ".." + HIGH);
    }

    /** True when nothing listens on (or holds) 127.0.0.1:port right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Same flag redis uses, so a port in TIME_WAIT counts as free, as it will for redis.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
