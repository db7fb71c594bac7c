package dev.streamq.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One script of src/main/resources/lua, with the SHA1 that EVALSHA names it by. A line
 * {@code --#include NAME} stands for lua/include/NAME.lua: a fragment that several
 * scripts share (retiring an entry, dead-lettering a job) is written once and expanded
 * before the script is hashed, so Redis sees one self-contained script.
 */
record LuaScript(String name, String source, String sha) {

    private static final Pattern INCLUDE = Pattern.compile("(?m)^--#include (\\w+)$");

    static LuaScript load(String name) {
        String source = expand(read("lua/" + name + ".lua"));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, source, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String expand(String source) {
        Matcher include = INCLUDE.matcher(source);
        StringBuilder expanded = new StringBuilder();
        while (include.find()) {
            String fragment = read("lua/include/" + include.group(1) + ".lua").stripTrailing();
            include.appendReplacement(expanded, Matcher.quoteReplacement(fragment));
        }
        return include.appendTail(expanded).toString();
    }

    private static String read(String path) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
