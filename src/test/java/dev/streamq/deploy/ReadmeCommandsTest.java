package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.assertContains;
import static dev.streamq.deploy.DeployTools.read;
import static dev.streamq.deploy.DeployTools.runOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.drill.Scenario;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's first block holds the two commands a new user runs (main job, tests). They are
 * checked here against what they name, so the README cannot drift from .ci/run or the lab.
 * Running them is CI's part: .ci/run, on a clean clone, is the README's test command (running
 * it from here would run this suite inside itself).
 */
class ReadmeCommandsTest {

    private static final String LAB = "deploy/local/lab";

    @Test
    void readmeGivesTwoCommandsMainJobThenTests() {
        List<String> commands = readmeCommands();
        assertEquals(2, commands.size(), () -> "the README's first ```bash block: " + commands);
        assertEquals(LAB + " test", commands.get(1), "the test command");
    }

    @Test
    void testCommandIsAllThatCiRuns() {
        // Apart from its shell set-up, .ci/run may run nothing the README's command does not:
        // whatever else it ran, a user of the README would not get.
        List<String> ciCommands = read(".ci/run").lines()
                .map(ReadmeCommandsTest::withoutComment)
                .filter(l -> !l.isEmpty() && !l.equals("set -euo pipefail") && !l.startsWith("cd "))
                .toList();
        assertEquals(List.of(readmeCommands().get(1)), ciCommands, ".ci/run's commands");
    }

    @Test
    void mainJobIsALabDrillThatExists() {
        List<String> words = Arrays.asList(readmeCommands().get(0).split("\\s+"));
        assertEquals(LAB, words.get(0), "the main job runs the lab: " + words);
        assertEquals("drill", words.get(1), "the main job is a drill: " + words);
        assertTrue(words.size() >= 3, "the drill has no name: " + words);
        Scenario.parse(words.get(2)); // throws, naming the drills there are, for an unknown one
    }

    @Test
    void readmeVerbsAreInTheLabsUsage() {
        String usage = runOk(List.of("bash", LAB, "help")).out();
        for (String command : readmeCommands()) {
            String verb = command.split("\\s+")[1];
            // a whole word: "drill" must not pass on the strength of "drills"
            assertTrue(Pattern.compile("(?<![\\w-])" + Pattern.quote(verb) + "(?![\\w-])").matcher(usage).find(),
                    () -> "'" + verb + "' is not in the lab's usage:\n" + usage);
        }
    }

    @Test
    void testVerbInstallsEveryRequiredTool() {
        Map<String, String> packages = labPackages();
        TreeSet<String> missing = new TreeSet<>(DeployTools.REQUIRED_TOOLS);
        missing.removeAll(packages.keySet());
        assertTrue(missing.isEmpty(), () -> "tools a test requires that deploy/local/lab's PACKAGE table lacks: " + missing);
        // The table covers them only if `test` installs the whole table.
        String lab = read(LAB);
        int arm = lab.indexOf("\n  test)\n");
        assertTrue(arm >= 0, "no test) arm in " + LAB);
        assertContains(lab.substring(arm, lab.indexOf(";;", arm)), "ensure_tools \"${!PACKAGE[@]}\"", "the lab's test verb");
    }

    @Test
    void toolsWithoutAPackageAreNamedRightAfterTheCommands() {
        String readme = read("README.md");
        int afterBlock = readme.indexOf("```", readme.indexOf("```bash") + 3) + 3;
        String paragraph = readme.substring(afterBlock).strip().split("\n\n", 2)[0];
        labPackages().forEach((tool, pkg) -> {
            if (pkg.isEmpty()) {
                assertContains(paragraph, tool, "the paragraph after the README's commands (it must say how to get it)");
            }
        });
    }

    /** Lines of the README's first ```bash block, comments dropped. */
    private static List<String> readmeCommands() {
        String readme = read("README.md");
        int start = readme.indexOf("```bash\n");
        assertTrue(start >= 0, "README.md has no ```bash block");
        start += "```bash\n".length();
        return readme.substring(start, readme.indexOf("```", start)).lines()
                .map(ReadmeCommandsTest::withoutComment)
                .filter(l -> !l.isEmpty())
                .toList();
    }

    private static String withoutComment(String line) {
        return line.replaceFirst("(^|\\s)#.*$", "").trim();
    }

    /** The lab's {@code declare -A PACKAGE=(...)}: tool to Debian package ("" for none). */
    private static Map<String, String> labPackages() {
        Matcher table = Pattern.compile("(?s)\\ndeclare -A PACKAGE=\\((.*?)\\n\\)").matcher(read(LAB));
        assertTrue(table.find(), "no PACKAGE table in " + LAB);
        Map<String, String> packages = new TreeMap<>();
        Matcher entry = Pattern.compile("\\[([^\\]]+)\\]=(\\S*)").matcher(table.group(1));
        while (entry.find()) {
            packages.put(entry.group(1), entry.group(2).replace("\"", ""));
        }
        assertTrue(packages.size() >= DeployTools.REQUIRED_TOOLS.size(), () -> "PACKAGE parsed as " + packages);
        return packages;
    }
}
