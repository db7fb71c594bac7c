package dev.streamq.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A userspace TCP proxy on 127.0.0.1 for fault injection without root or {@code tc netem}.
 *
 * <ul>
 *   <li>{@link #setLatency}: every chunk read from one side is held for N ms before it is written
 *       to the other, per direction, order preserved (one FIFO per direction).</li>
 *   <li>{@link #cut()}: closes every proxied connection and stops listening, so clients get
 *       "connection reset" and then "connection refused": a hard, fast-failing partition.</li>
 *   <li>{@link #blackhole()}: keeps connections open but forwards nothing (and holds new ones
 *       without connecting upstream): a silent partition where clients only see timeouts.</li>
 *   <li>{@link #restore()}: undoes either; bytes held during a blackhole are then delivered,
 *       as TCP would retransmit them after a short partition.</li>
 * </ul>
 *
 * <p>Java 17 has no virtual threads, so each connection costs four platform threads (a reader
 * and a delayed writer per direction); connections are capped at {@link #MAX_CONNECTIONS}.
 * Only loopback targets are accepted: the lab never sends traffic off this machine.
 */
public final class TcpProxy implements AutoCloseable {

    public static final int MAX_CONNECTIONS = 128;
    private static final int CHUNK = 16 * 1024;
    /** Chunks buffered per direction before the reader blocks (TCP-like backpressure). */
    private static final int QUEUE_CHUNKS = 256;

    private final int listenPort;
    private final InetSocketAddress target;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytesToTarget = new AtomicLong();
    private final AtomicLong bytesToClient = new AtomicLong();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object stateLock = new Object();

    private volatile long toTargetDelayNanos;
    private volatile long toClientDelayNanos;
    private volatile boolean blackholed;
    private volatile boolean closed;
    private ServerSocket server; // guarded by stateLock; null while cut

    private Thread acceptor;

    private TcpProxy(int listenPort, InetSocketAddress target) {
        this.listenPort = listenPort;
        this.target = target;
    }

    /** Proxies a new free loopback port to 127.0.0.1:targetPort. */
    public static TcpProxy start(int targetPort) {
        return start(Ports.free(), "127.0.0.1", targetPort);
    }

    /** Proxies 127.0.0.1:listenPort to targetHost:targetPort; targetHost must be a loopback address. */
    public static TcpProxy start(int listenPort, String targetHost, int targetPort) {
        InetAddress address;
        try {
            address = InetAddress.getByName(targetHost);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown target host " + targetHost, e);
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("TcpProxy only targets loopback addresses, not " + targetHost);
        }
        TcpProxy proxy = new TcpProxy(listenPort, new InetSocketAddress(address, targetPort));
        proxy.listen();
        return proxy;
    }

    public int port() {
        return listenPort;
    }

    public int targetPort() {
        return target.getPort();
    }

    /** "redis://127.0.0.1:port" of the proxy, for pointing a client at it. */
    public String uri() {
        return "redis://127.0.0.1:" + listenPort;
    }

    /** Added one-way delay client->target and target->client. Applies to chunks read from now on. */
    public void setLatency(Duration toTarget, Duration toClient) {
        toTargetDelayNanos = toTarget.toNanos();
        toClientDelayNanos = toClient.toNanos();
    }

    /** Same delay both ways, so a request/reply round trip gains 2x {@code oneWay}. */
    public void setLatency(Duration oneWay) {
        setLatency(oneWay, oneWay);
    }

    /** Drops every connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        synchronized (stateLock) {
            closeServer();
        }
        for (Connection connection : connections) {
            connection.close();
        }
    }

    /** Stops forwarding bytes and holds new connections, without closing anything. */
    public void blackhole() {
        blackholed = true;
    }

    /** Ends a cut or a blackhole: listens again on the same port and resumes forwarding. */
    public void restore() {
        blackholed = false;
        synchronized (stateLock) {
            stateLock.notifyAll();
            if (server == null && !closed) {
                listen();
            }
        }
    }

    public boolean isCut() {
        synchronized (stateLock) {
            return server == null;
        }
    }

    public boolean isBlackholed() {
        return blackholed;
    }

    public int activeConnections() {
        return connections.size();
    }

    /** Connections accepted since start, including ones refused over the cap. */
    public int acceptedConnections() {
        return accepted.get();
    }

    public long bytesToTarget() {
        return bytesToTarget.get();
    }

    public long bytesToClient() {
        return bytesToClient.get();
    }

    @Override
    public void close() {
        synchronized (stateLock) {
            closed = true;
            closeServer();
            stateLock.notifyAll();
        }
        for (Connection connection : connections) {
            connection.close();
        }
    }

    private void listen() {
        synchronized (stateLock) {
            try {
                ServerSocket socket = new ServerSocket();
                // Rebinding right after cut() must work although closed connections sit in TIME_WAIT.
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 64);
                server = socket;
                Thread thread = new Thread(() -> acceptLoop(socket), "tcp-proxy-accept-" + listenPort);
                thread.setDaemon(true);
                thread.start();
                acceptor = thread;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on 127.0.0.1:" + listenPort, e);
            }
        }
    }

    private void closeServer() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // The accept thread exits on the resulting SocketException either way.
            }
            server = null;
            // Closing a socket that a thread is blocked in accept() on completes only when that
            // thread leaves accept(); until then the port can still take a connection. Wait for it,
            // so that "cut" means refused from the moment cut() returns.
            try {
                acceptor.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                return; // closed by cut() or close()
            }
            accepted.incrementAndGet();
            if (connections.size() >= MAX_CONNECTIONS) {
                closeQuietly(client);
                continue;
            }
            Connection connection = new Connection(client);
            connections.add(connection);
            Thread opener = new Thread(connection::open, "tcp-proxy-open-" + listenPort);
            opener.setDaemon(true);
            opener.start();
        }
    }

    /** Blocks while blackholed; returns false when the proxy closed meanwhile. */
    private boolean awaitForwarding(Connection connection) {
        synchronized (stateLock) {
            while (blackholed && !closed && !connection.closed) {
                try {
                    stateLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !closed && !connection.closed;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do about a socket that fails to close.
        }
    }

    /** One proxied client connection and its upstream counterpart. */
    private final class Connection {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean closed;
        private final AtomicInteger openDirections = new AtomicInteger(2);

        Connection(Socket client) {
            this.client = client;
        }

        void open() {
            // A connection accepted during a blackhole is held here, like a SYN lost in a partition.
            if (!awaitForwarding(this)) {
                close();
                return;
            }
            try {
                Socket socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(target, 2000);
                upstream = socket;
                client.setTcpNoDelay(true);
            } catch (IOException e) {
                close(); // target down: the client sees its connection closed, as with a dead redis
                return;
            }
            if (closed) { // cut() raced with the connect
                close();
                return;
            }
            pump(client, upstream, () -> toTargetDelayNanos, bytesToTarget, "c2t");
            pump(upstream, client, () -> toClientDelayNanos, bytesToClient, "t2c");
        }

        private void pump(Socket from, Socket to, java.util.function.LongSupplier delay, AtomicLong counter, String dir) {
            BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
            BlockingQueue<Long> due = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
            Thread reader = new Thread(() -> readLoop(from, queue, due, delay), "tcp-proxy-" + dir + "-read-" + listenPort);
            Thread writer = new Thread(() -> writeLoop(to, queue, due, counter), "tcp-proxy-" + dir + "-write-" + listenPort);
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        private void readLoop(Socket from, BlockingQueue<byte[]> queue, BlockingQueue<Long> due,
                java.util.function.LongSupplier delay) {
            byte[] buffer = new byte[CHUNK];
            try {
                InputStream in = from.getInputStream();
                while (!closed) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    // Due time and chunk go into two queues in lock step; only this thread puts.
                    long deliverAt = System.nanoTime() + delay.getAsLong();
                    putBounded(due, deliverAt);
                    putBounded(queue, Arrays.copyOf(buffer, n));
                }
            } catch (IOException | InterruptedException e) {
                // Socket closed (cut, peer reset) or proxy closing: fall through to EOF.
            }
            try {
                putBounded(due, System.nanoTime());
                putBounded(queue, new byte[0]); // EOF marker
            } catch (InterruptedException e) {
                close();
            }
        }

        private <T> void putBounded(BlockingQueue<T> queue, T item) throws InterruptedException {
            // Bounded retries instead of an unbounded put(): a closed connection must not block forever.
            while (!queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    throw new InterruptedException("connection closed");
                }
            }
        }

        private void writeLoop(Socket to, BlockingQueue<byte[]> queue, BlockingQueue<Long> due, AtomicLong counter) {
            try {
                OutputStream out = to.getOutputStream();
                while (!closed) {
                    byte[] chunk = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (chunk == null) {
                        continue;
                    }
                    long deliverAt = due.take();
                    long wait = deliverAt - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (!awaitForwarding(this)) {
                        break;
                    }
                    if (chunk.length == 0) {
                        to.shutdownOutput(); // propagate the half-close
                        break;
                    }
                    out.write(chunk);
                    out.flush();
                    counter.addAndGet(chunk.length);
                }
            } catch (IOException | InterruptedException e) {
                close();
                return;
            }
            if (openDirections.decrementAndGet() == 0) {
                close();
            }
        }

        void close() {
            closed = true;
            closeQuietly(client);
            Socket up = upstream;
            if (up != null) {
                closeQuietly(up);
            }
            connections.remove(this);
        }
    }
}
