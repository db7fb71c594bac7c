package dev.streamq.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Loki's index must only see low-cardinality labels: app, role, namespace, level. Everything
 * else Alloy derives (pod, container, event, queue, job_id) has to end up as structured
 * metadata, and the final label_keep must be exactly the allowed set.
 */
class AlloyLabelsTest {

    static final Set<String> ALLOWED = Set.of("app", "role", "namespace", "level");

    private final String config = DeployTools.read("loki/config.alloy");

    /** The text between "NAME {" and its matching "}" (first occurrence after `from`). */
    private static String block(String text, String name, int from) {
        int start = text.indexOf(name + " {", from);
        assertTrue(start >= 0, "block " + name + " not found");
        int depth = 0;
        for (int i = text.indexOf('{', start); i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '{') {
                depth++;
            } else if (ch == '}' && --depth == 0) {
                return text.substring(start, i + 1);
            }
        }
        throw new AssertionError("unbalanced block " + name);
    }

    private static List<String> quoted(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static Set<String> mapKeys(String block) {
        Set<String> keys = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*=").matcher(block.substring(block.indexOf("values")));
        while (m.find()) {
            if (!m.group(1).equals("values")) {
                keys.add(m.group(1));
            }
        }
        return keys;
    }

    private String withoutComments() {
        return config.replaceAll("(?m)//.*$", "");
    }

    @Test
    void finalLabelKeepIsExactlyTheAllowedLowCardinalitySet() {
        String text = withoutComments();
        String keep = block(text, "stage.label_keep", 0);
        assertEquals(ALLOWED, new LinkedHashSet<>(quoted(keep)));
        // label_keep must be the last stage that touches labels, right before forwarding.
        String process = block(text, "loki.process \"pods\"", 0);
        int keepAt = process.indexOf("stage.label_keep");
        for (String later : List.of("stage.labels", "stage.static_labels", "stage.label_drop")) {
            assertFalse(process.indexOf(later, keepAt) > 0, later + " after label_keep");
        }
    }

    @Test
    void labelsPromotedFromTheLogBodyAreAllowedOnesOnly() {
        String text = withoutComments();
        Set<String> promoted = mapKeys(block(text, "stage.labels", 0));
        assertEquals(Set.of("level"), promoted);
        assertFalse(text.contains("stage.static_labels"), "no static labels (they would bypass review)");
    }

    @Test
    void highCardinalityFieldsGoToStructuredMetadata() {
        String text = withoutComments();
        Set<String> metadata = mapKeys(block(text, "stage.structured_metadata", 0));
        assertTrue(metadata.containsAll(Set.of("job_id", "event", "queue", "pod", "container")), metadata.toString());
        metadata.forEach(k -> assertFalse(ALLOWED.contains(k), k + " is both a label and metadata"));

        // Every non-internal label the relabel rules create is either allowed or moved to metadata.
        String relabel = block(text, "discovery.relabel \"pods\"", 0);
        Matcher m = Pattern.compile("target_label\\s*=\\s*\"([^\"]+)\"").matcher(relabel);
        int seen = 0;
        while (m.find()) {
            String label = m.group(1);
            seen++;
            if (!label.startsWith("__")) {
                assertTrue(ALLOWED.contains(label) || metadata.contains(label), "relabel creates label '" + label + "'");
            }
        }
        assertTrue(seen >= 5, "relabel rules parsed");
    }

    @Test
    void onlyTheStreamqNamespaceAndThisNodeAreTailed() {
        String text = withoutComments();
        String discovery = block(text, "discovery.kubernetes \"pods\"", 0);
        assertEquals(List.of("streamq"), quoted(block(discovery, "namespaces", 0)));
        assertTrue(discovery.contains("\"spec.nodeName=\" + sys.env(\"NODE_NAME\")"), "node-local field selector");
    }
}
