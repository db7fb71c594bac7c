package dev.streamq.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Scripts are loaded with their shared fragments expanded, and hashed as Redis will see them. */
class LuaScriptTest {

    private static final List<String> SCRIPTS =
            List.of("enqueue", "start", "complete", "fail", "promote", "reclaim", "release", "redrive", "stats");

    @Test
    void includesAreExpandedBeforeTheScriptIsHashed() throws Exception {
        LuaScript fail = LuaScript.load("fail");
        assertFalse(fail.source().contains("--#include"), fail.source());
        assertTrue(fail.source().contains("local function retire(stream, group, entry_id)"), "retire expanded");
        assertTrue(fail.source().contains("local function dead_letter("), "dead_letter expanded");
        String sha = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-1").digest(fail.source().getBytes(StandardCharsets.UTF_8)));
        assertEquals(sha, fail.sha());
    }

    @Test
    void theScriptsDeadLetterOnlyWithReasonsOfTheClosedSet() {
        // fail.lua and reclaim.lua write two reasons themselves; each must be a DeadReason, whose
        // series exist at 0 before the first dead letter (a reason outside it would be born at 1).
        List<String> written = new ArrayList<>();
        var fail = Pattern.compile("reason = '(\\w+)'").matcher(LuaScript.load("fail").source());
        while (fail.find()) {
            written.add(fail.group(1));
        }
        var reclaim = Pattern.compile("dead_letter\\(dead, job, id, '(\\w+)'").matcher(LuaScript.load("reclaim").source());
        while (reclaim.find()) {
            written.add(reclaim.group(1));
        }
        assertEquals(List.of("max_attempts", "poison"), written);
        assertTrue(DeadReason.labels().containsAll(written), written + " in " + DeadReason.labels());
    }

    @Test
    void everyScriptNamesItsKeysAndArgumentsAtTheTop() {
        for (String name : SCRIPTS) {
            String source = LuaScript.load(name).source();
            List<String> body = source.substring(source.indexOf("]]") + 2).lines().toList();
            int lastBinding = -1;
            int firstStatement = body.size();
            for (int i = 0; i < body.size(); i++) {
                String line = body.get(i).strip();
                if (FIXED_POSITION.matcher(line).find()) {
                    assertTrue(line.startsWith("local "), name + " reads a KEYS/ARGV position outside a named local: " + line);
                    lastBinding = i;
                } else if (firstStatement == body.size() && STATEMENT.matcher(line).find()) {
                    firstStatement = i;
                }
            }
            assertTrue(lastBinding >= 0, name + " binds no KEYS/ARGV");
            assertTrue(lastBinding < firstStatement, name + " binds KEYS/ARGV after its first statement");
        }
    }

    @Test
    void sharedFragmentsStandOnceInEachScript() {
        for (String name : SCRIPTS) {
            String source = LuaScript.load(name).source();
            assertTrue(count(source, "redis.call('XACK'") <= 1, name + " acknowledges an entry outside retire()");
            assertTrue(count(source, "'dead_reason', reason") <= 1, name + " dead-letters outside dead_letter()");
        }
    }

    private static final Pattern FIXED_POSITION = Pattern.compile("\\b(KEYS|ARGV)\\[\\d+]");
    /** The first line that does something: a call, a loop, a branch or a return. */
    private static final Pattern STATEMENT = Pattern.compile("^(redis\\.call|for |if |return |local \\w+ = redis)");

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
