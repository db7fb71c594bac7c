package dev.streamq.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Redis as a managed service hands it out: TLS only, signed by a CA the application is given
 * as a file, the default user off, and streamq logging in as an ACL user with exactly the rule
 * docs/managed-redis.md documents (read from that page, so the page and the test cannot drift).
 */
public class ManagedRedisResource extends TlsRedisResource {

    static final String USER = "streamq";
    static final String PASSWORD = "streamq-secret-1";
    /** The documented rule's password placeholder. */
    private static final String PLACEHOLDER = ">CHANGE-ME";

    static volatile TlsRedisServer server;
    static volatile Path appLog;

    @Override
    TestCertificates.Pair presented(TestCertificates certificates) {
        return certificates.server();
    }

    @Override
    List<String> settings() {
        // DEBUG on, as on a server where an admin may use it: then only the ACL stands between streamq and it
        return List.of("user default off", "enable-debug-command yes");
    }

    @Override
    void afterStart(TlsRedisServer started) {
        List<String> command = new ArrayList<>(documentedRule());
        command.replaceAll(token -> token.equals(PLACEHOLDER) ? ">" + PASSWORD : token);
        try (var client = started.client()) {
            client.call(command.toArray(String[]::new));
        }
    }

    @Override
    String hosts(TlsRedisServer started) {
        return started.uri(USER, PASSWORD);
    }

    @Override
    Map<String, String> more() {
        // so that forgetting idle queues (forget.lua) runs under the user within the test too
        return Map.of("streamq.queues.prune-interval", "300ms", "streamq.queues.forget-after", "1s");
    }

    @Override
    void started(TlsRedisServer started, Path log) {
        server = started;
        appLog = log;
    }

    /** The ACL SETUSER command of docs/managed-redis.md, as its words (quotes and line continuations gone). */
    static List<String> documentedRule() {
        String page;
        try {
            page = Files.readString(Path.of("docs/managed-redis.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher block = Pattern.compile("```sh\\n(redis-cli \\.\\.\\. ACL SETUSER streamq .*?)```", Pattern.DOTALL).matcher(page);
        if (!block.find()) {
            throw new IllegalStateException("docs/managed-redis.md has no redis-cli ... ACL SETUSER streamq block");
        }
        String command = block.group(1).replace("\\\n", " ").replace("'", "").replace("redis-cli ... ", "").trim();
        List<String> words = Arrays.asList(command.split("\\s+"));
        if (!words.contains(PLACEHOLDER)) {
            throw new IllegalStateException("the documented rule has no " + PLACEHOLDER + " password: " + command);
        }
        return words;
    }
}
