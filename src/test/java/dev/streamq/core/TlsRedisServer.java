package dev.streamq.core;

import dev.streamq.lab.Await;
import dev.streamq.lab.Ports;
import dev.streamq.lab.RespClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A redis-server that speaks TLS only ({@code port 0}: no plain-text port a client could fall
 * back to), presenting the certificate it is given. Started by the test, stopped by its PID.
 * The test's own connections ({@link #client}) trust exactly the certificate the server
 * presents and log in as the harness user, so they work whatever the application is told.
 */
final class TlsRedisServer implements AutoCloseable {

    /** A user for the test's own connections, with every right; the application never gets it. */
    static final String HARNESS_USER = "harness";
    static final String HARNESS_PASSWORD = "harness-secret";

    private final int port;
    private final Path dir;
    private final Path presented;
    private final Process process;
    private final Thread reaper;

    private TlsRedisServer(Path dir, TestCertificates.Pair certificate, Path ca, List<String> settings) {
        this.port = Ports.free();
        this.dir = dir;
        this.presented = certificate.cert();
        List<String> lines = new ArrayList<>(List.of(
                "port 0", "tls-port " + port, "bind 127.0.0.1", "daemonize no", "dir " + dir, "logfile " + dir.resolve("redis.log"),
                "tls-cert-file " + certificate.cert(), "tls-key-file " + certificate.key(), "tls-ca-cert-file " + ca,
                // clients prove themselves with a password, as on a managed service, not with a certificate
                "tls-auth-clients no",
                "appendonly yes", "appendfsync everysec", "save \"\"", "maxmemory-policy noeviction",
                "user " + HARNESS_USER + " on >" + HARNESS_PASSWORD + " ~* &* +@all"));
        lines.addAll(settings);
        Path config = dir.resolve("redis.conf");
        try {
            Files.createDirectories(dir);
            Files.writeString(config, String.join("\n", lines) + "\n");
            process = new ProcessBuilder("redis-server", config.toString()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reaper = new Thread(process::destroyForcibly, "tls-redis-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        Await.condition("TLS redis on port " + port + " to answer PING", Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ", see " + dir);
            }
            try (RespClient client = client()) {
                return "PONG".equals(client.call("PING"));
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    /**
     * Starts a TLS-only server presenting {@code certificate}; {@code settings} are further
     * redis.conf lines (users, for one).
     */
    static TlsRedisServer start(Path dir, TestCertificates certificates, TestCertificates.Pair certificate,
            List<String> settings) {
        return new TlsRedisServer(dir, certificate, certificates.ca(), settings);
    }

    int port() {
        return port;
    }

    /** "rediss://user:password@127.0.0.1:port", or without user info when user is null. */
    String uri(String user, String password) {
        return "rediss://" + (user == null ? "" : user + ":" + password + "@") + "127.0.0.1:" + port;
    }

    /** A connection as the harness user. */
    RespClient client() {
        RespClient client = as(null, null);
        client.call("AUTH", HARNESS_USER, HARNESS_PASSWORD);
        return client;
    }

    /** A connection over TLS, logged in as {@code user} (not at all when null). */
    RespClient as(String user, String password) {
        try {
            SSLSocket socket = (SSLSocket) trusting(presented).getSocketFactory().createSocket("127.0.0.1", port);
            socket.setSoTimeout((int) RespClient.DEFAULT_TIMEOUT.toMillis());
            socket.startHandshake();
            RespClient client = new RespClient(socket);
            if (user != null) {
                client.call("AUTH", user, password);
            }
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException("no TLS connection to 127.0.0.1:" + port, e);
        }
    }

    Path dir() {
        return dir;
    }

    private static SSLContext trusting(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("cert-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + pem, e);
        }
    }

    /** SIGTERM by PID, then SIGKILL if it lingers. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
