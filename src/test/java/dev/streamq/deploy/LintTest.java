package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.path;
import static dev.streamq.deploy.DeployTools.requireTool;
import static dev.streamq.deploy.DeployTools.runOk;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** yamllint on deploy/ and loki/ (config: .yamllint), shellcheck on every deploy script. */
class LintTest {

    @Test
    void yamlIsClean() {
        requireTool("yamllint", "apt-get install yamllint, or pip install yamllint");
        // --strict: warnings fail too, so the tree stays warning-free.
        runOk(List.of("yamllint", "--strict", "-c", ".yamllint", "deploy", "loki"));
    }

    @Test
    void shellScriptsAreShellcheckClean() throws IOException {
        requireTool("shellcheck", "apt-get install shellcheck");
        List<String> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(path("deploy"))) {
            files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".sh"))
                    .forEach(f -> scripts.add(path("").relativize(f).toString()));
        }
        // The local lab's entry point has no extension.
        if (Files.isRegularFile(path("deploy/local/lab"))) {
            scripts.add("deploy/local/lab");
        }
        assertTrue(scripts.size() >= 9, "found scripts: " + scripts);
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "-x"));
        cmd.addAll(scripts);
        runOk(cmd);
    }
}
