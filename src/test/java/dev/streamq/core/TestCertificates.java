package dev.streamq.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made with openssl for one test run, in a directory of its own: a CA, a server
 * certificate it signed for 127.0.0.1 and localhost, one it signed for another host only, and a
 * self-signed one no CA vouches for. Keys are P-256: quick to make, and both redis-server and
 * the JDK take them.
 */
final class TestCertificates {

    /** A certificate and its private key, PEM files. */
    record Pair(Path cert, Path key) {}

    private final Path ca;
    private final Pair server;
    private final Pair otherHost;
    private final Pair selfSigned;

    private TestCertificates(Path dir) {
        ca = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=streamq test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        server = signed(dir, caKey, "server", "IP:127.0.0.1,DNS:localhost");
        otherHost = signed(dir, caKey, "other-host", "DNS:redis.example.com");
        selfSigned = new Pair(dir.resolve("self-signed.pem"), dir.resolve("self-signed.key"));
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", selfSigned.key().toString(), "-out", selfSigned.cert().toString(), "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    }

    static TestCertificates in(Path dir) {
        return new TestCertificates(dir);
    }

    /** The CA file a client is told to trust. */
    Path ca() {
        return ca;
    }

    /** Signed by the CA, for 127.0.0.1 and localhost: what a well set-up server presents. */
    Pair server() {
        return server;
    }

    /** Signed by the CA, but for redis.example.com only: right issuer, wrong server. */
    Pair otherHost() {
        return otherHost;
    }

    /** Self-signed for 127.0.0.1 and localhost: the right names, but no trusted issuer. */
    Pair selfSigned() {
        return selfSigned;
    }

    private static Pair signed(Path dir, Path caKey, String name, String subjectAltNames) {
        Pair pair = new Pair(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
        Path request = dir.resolve(name + ".csr");
        Path extensions = dir.resolve(name + ".ext");
        try {
            Files.writeString(extensions, "subjectAltName=" + subjectAltNames + "\nbasicConstraints=CA:FALSE\n"
                    + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", pair.key().toString(), "-out", request.toString(), "-subj", "/CN=" + name);
        openssl(dir, "x509", "-req", "-in", request.toString(), "-CA", dir.resolve("ca.pem").toString(),
                "-CAkey", caKey.toString(), "-CAcreateserial", "-out", pair.cert().toString(), "-days", "2",
                "-extfile", extensions.toString());
        return pair;
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/openssl"));
        command.addAll(List.of(args));
        Path output = dir.resolve("openssl.log");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("openssl did not finish: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("openssl failed (" + process.exitValue() + "): " + command + "\n"
                        + Files.readString(output));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
