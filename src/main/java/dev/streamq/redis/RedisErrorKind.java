package dev.streamq.redis;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * What went wrong in a Redis call, in the words an operator uses during a failover. Every
 * kind but OTHER means Redis cannot serve the call (the API answers 503); the transient ones
 * may well succeed a moment later and are retried, OUT_OF_MEMORY, AUTH and TLS are not.
 */
public enum RedisErrorKind {
    /** Refused, reset or closed connection; no master reachable. */
    CONNECTION,
    /**
     * A write reached a replica: a demoted master, or a stale connection after failover. Also
     * UNBLOCKED "instance state changed (master -> replica?)": a blocked read that the
     * demotion of its master cut, the first error a worker sees in a failover.
     */
    READONLY,
    /** The master refuses writes because too few replicas are in sync (min-replicas-to-write). */
    NOREPLICAS,
    /** The server is loading its data set after a restart. */
    LOADING,
    TIMEOUT,
    /**
     * The server refuses writes for lack of memory (maxmemory under noeviction): retrying adds
     * load and frees nothing, so it is not retried; it lasts until workers or an operator free memory.
     */
    OUT_OF_MEMORY,
    /** The server refuses streamq's credentials (NOAUTH, WRONGPASS): a configuration error, not retried. */
    AUTH,
    /**
     * The TLS handshake with Redis failed for want of trust: the server's certificate is not
     * signed by a trusted CA or does not name the host the client connected to, the server
     * answered the handshake in plain text, or the client was left with no usable hostname
     * verification algorithm. (A plain-text redis-server at a rediss:// address answers
     * nothing at all: that is a TIMEOUT.) A configuration error, not retried; the client never falls
     * back to plain text.
     */
    TLS,
    /** Not a failover symptom (script bug, wrong type...): do not retry. */
    OTHER;

    public boolean isTransient() {
        return this != OTHER && this != OUT_OF_MEMORY && this != AUTH && this != TLS;
    }

    /** True when Redis cannot serve the call at all, as opposed to a bug: the API answers 503 + Retry-After. */
    public boolean isUnavailable() {
        return this != OTHER;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RedisErrorKind of(Throwable failure) {
        // A refusal anywhere in the chain wins: a client wraps a failed AUTH in a connection error.
        for (Throwable t = failure; t != null; t = t.getCause()) {
            RedisErrorKind refusal = refusal(String.valueOf(t.getMessage()).replaceFirst("^ERR \\[\\d+\\] ", ""));
            if (refusal != OTHER) {
                return refusal;
            }
            if (untrusted(t)) {
                return TLS;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            RedisErrorKind kind = ofOne(t);
            if (kind != OTHER) {
                return kind;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return OTHER;
    }

    private static RedisErrorKind refusal(String message) {
        if (message.startsWith("OOM ") || message.contains("OOM command not allowed")) {
            return OUT_OF_MEMORY;
        }
        if (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS") || message.contains("-NOAUTH")
                || message.contains("-WRONGPASS") || message.contains("called without any password configured")
                // an unauthenticated client's long command is cut as a protocol error, not NOAUTH
                || message.contains("Protocol error: unauthenticated")) {
            return AUTH;
        }
        return OTHER;
    }

    /**
     * A handshake that failed over the certificate or the protocol, not over the network: an
     * SSLHandshakeException on its own may be a reset mid-handshake, which is a CONNECTION.
     */
    private static boolean untrusted(Throwable t) {
        if (t instanceof CertificateException || t instanceof CertPathValidatorException
                || t instanceof CertPathBuilderException || t instanceof SSLPeerUnverifiedException
                || t.getClass().getSimpleName().equals("NotSslRecordException")) {
            return true;
        }
        String message = String.valueOf(t.getMessage());
        // Vert.x refuses to open a TLS connection with no name check configured at all
        if (message.startsWith("Missing hostname verification algorithm")) {
            return true;
        }
        return t instanceof SSLException && (message.contains("PKIX path") || message.contains("certificate")
                || message.contains("subject alternative name") || message.contains("not an SSL/TLS record")
                || message.contains("Unsupported or unrecognized SSL message"));
    }

    /** The message of the TLS failure in the chain (the one that says why), or the top one's. */
    public static String tlsReason(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (untrusted(t)) {
                return String.valueOf(t.getMessage());
            }
        }
        return String.valueOf(failure.getMessage());
    }

    private static RedisErrorKind ofOne(Throwable t) {
        // A pipelined batch reports a server error as "ERR [i] <error>": judge the error itself.
        String message = String.valueOf(t.getMessage()).replaceFirst("^ERR \\[\\d+\\] ", "");
        if (message.startsWith("READONLY") || (message.startsWith("UNBLOCKED") && message.contains("master -> replica"))) {
            return READONLY;
        }
        if (message.startsWith("NOREPLICAS")) {
            return NOREPLICAS;
        }
        if (message.startsWith("LOADING")) {
            return LOADING;
        }
        // MASTERDOWN: a replica that lost its master; TRYAGAIN/CLUSTERDOWN: cluster resharding/failover;
        // MOVED/ASK left after the redirects the route follows: the slot map is being read again.
        if (message.startsWith("MASTERDOWN") || message.startsWith("TRYAGAIN") || message.startsWith("CLUSTERDOWN")
                || message.startsWith("MOVED ") || message.startsWith("ASK ")) {
            return CONNECTION;
        }
        if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")
                || message.toLowerCase(Locale.ROOT).contains("timeout")) {
            return TIMEOUT;
        }
        if (t instanceof ConnectException || t instanceof ClosedChannelException || t instanceof IOException) {
            return CONNECTION;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("connection") || lower.contains("connect to") || lower.contains("sentinel")
                || lower.contains("closed") || lower.contains("no master")) {
            return CONNECTION;
        }
        // A failure raised inside the Vert.x client itself rather than a server reply: seen in the
        // partition drill as the pool's "Attempt to recycle more than permitted" when connections
        // time out together. The next call gets a fresh connection, so it is a connection problem.
        if (!t.getClass().getSimpleName().equals("ErrorType") && raisedByVertx(t)) {
            return CONNECTION;
        }
        return OTHER;
    }

    private static boolean raisedByVertx(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        return stack.length > 0 && stack[0].getClassName().startsWith("io.vertx.");
    }
}
