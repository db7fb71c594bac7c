package dev.streamq.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Kernel-level partition of a loopback port with iptables (root only): packets to and from
 * 127.0.0.1:port are DROPped, so peers see a silent network partition (timeouts, no RST),
 * exactly what a cut cable or a lost AZ looks like.
 *
 * <p>Why in addition to {@link TcpProxy}: the proxy only partitions clients that were pointed at
 * it; replication links and sentinel probes go to the real port. A DROP rule partitions the
 * node from everyone, including sentinels and replicas. Why iptables on lo and not network
 * namespaces: every lab process lives on 127.0.0.1, so no address has to change.
 *
 * <p>Limits: a node's own outgoing connections (a replica's link to its master) use ephemeral
 * ports and are not blocked, so isolating a master is exact, isolating a replica blocks only
 * who talks to it. Every rule carries a comment naming this JVM; {@link #heal()} and a shutdown
 * hook delete exactly those rules. Check {@link #available()} first (tests use Assumptions).
 */
public final class NetPartition implements AutoCloseable {

    private static final String CHAIN_IN = "INPUT";
    private static final String CHAIN_OUT = "OUTPUT";

    private final String comment = "streamq-lab-" + ProcessHandle.current().pid();
    private final Set<Integer> isolated = new LinkedHashSet<>();
    private final Thread hook = new Thread(this::heal, "lab-net-heal");
    private boolean hookInstalled;

    /** Why not: null when iptables can be used here, else a human-readable reason to skip. */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "NetPartition needs root (iptables); running as " + System.getProperty("user.name");
        }
        Result result = iptables("-w", "5", "-S", CHAIN_IN);
        return result.code == 0 ? null : "iptables does not work here: " + result.output.trim();
    }

    public static boolean available() {
        return unavailableReason() == null;
    }

    /** Drops all TCP traffic to and from 127.0.0.1:port until {@link #heal()}. */
    public synchronized void isolate(int port) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(hook);
            hookInstalled = true;
        }
        if (!isolated.add(port)) {
            return;
        }
        run(rule("-I", CHAIN_IN, "--dport", port));
        run(rule("-I", CHAIN_OUT, "--sport", port));
    }

    /** Removes the rules of one port. */
    public synchronized void heal(int port) {
        if (isolated.remove(port)) {
            iptables(rule("-D", CHAIN_IN, "--dport", port));
            iptables(rule("-D", CHAIN_OUT, "--sport", port));
        }
    }

    /** Removes every rule this instance added. */
    public synchronized void heal() {
        for (Integer port : new ArrayList<>(isolated)) {
            heal(port);
        }
    }

    public synchronized Set<Integer> isolatedPorts() {
        return Set.copyOf(isolated);
    }

    @Override
    public synchronized void close() {
        heal();
        if (hookInstalled) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // Already shutting down: the hook runs heal() anyway.
            }
            hookInstalled = false;
        }
    }

    private String[] rule(String op, String chain, String portFlag, int port) {
        String iface = CHAIN_IN.equals(chain) ? "-i" : "-o";
        return new String[] {"-w", "5", op, chain, iface, "lo", "-p", "tcp", "-s", "127.0.0.1", "-d", "127.0.0.1",
            portFlag, String.valueOf(port), "-m", "comment", "--comment", comment, "-j", "DROP"};
    }

    private static void run(String... args) {
        Result result = iptables(args);
        if (result.code != 0) {
            throw new IllegalStateException("iptables " + String.join(" ", args) + " failed: " + result.output);
        }
    }

    private static Result iptables(String... args) {
        List<String> command = new ArrayList<>();
        command.add("iptables");
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    private static final class Result {
        final int code;
        final String output;

        Result(int code, String output) {
            this.code = code;
            this.output = output;
        }
    }
}
