package dev.streamq.lab.drill;

import dev.streamq.lab.OptionPairs;
import dev.streamq.lab.ServiceProcess;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code lab drill NAME [--duration S] [--rate R] [--warm-up S] [--seed N] [--fail-share F] [--out DIR] [--jar PATH]
 * [--kills N] [--hold-ms MS] [--all-replicas true|false] [--shard N] [--observe]} and
 * {@code lab drills [same options]}: runs drills, writes the reports, returns the exit code
 * (0 all passed, 1 any failed).
 */
public final class DrillCli {

    private DrillCli() {
    }

    public static int drill(List<String> args, PrintStream out) {
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            throw new IllegalArgumentException("drill needs a NAME: one of " + Scenario.names());
        }
        Scenario scenario = Scenario.parse(args.get(0));
        Parsed p = parse(args.subList(1, args.size()), out);
        return runAll(List.of(scenario), p, out);
    }

    public static int drills(List<String> args, PrintStream out) {
        Parsed p = parse(args, out);
        return runAll(List.of(Scenario.values()), p, out);
    }

    private static int runAll(List<Scenario> scenarios, Parsed p, PrintStream out) {
        List<DrillResult> results = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            DrillResult r = Drill.run(scenario, p.config, p.out.resolve(scenario.id() + "-work"));
            DrillReport.writeDrill(p.out, r);
            results.add(r);
            DrillReport.writeSummary(p.out, results); // after each drill, so a crash keeps what ran
        }
        out.println();
        out.print(DrillReport.table(results));
        out.println();
        out.println("reports: " + p.out.toAbsolutePath() + " (summary.md, report.json, NAME.md/.json/.svg)");
        return results.stream().allMatch(r -> r.passed) ? 0 : 1;
    }

    private static final class Parsed {
        final DrillConfig config = new DrillConfig();
        Path out = DrillReport.defaultOut();
    }

    private static boolean parseBoolean(String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("--all-replicas takes true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    private static Parsed parse(List<String> args, PrintStream log) {
        Parsed p = new Parsed();
        p.config.log = log;
        OptionPairs.forEach(args, Set.of("--observe"), (arg, value) -> {
            switch (arg) {
                case "--observe" -> p.config.observe = true;
                case "--duration" -> p.config.duration = Duration.ofSeconds(Long.parseLong(value));
                case "--rate" -> p.config.rate = Double.parseDouble(value);
                case "--warm-up" -> p.config.warmUp = Duration.ofSeconds(Long.parseLong(value));
                case "--seed" -> p.config.seed = Long.parseLong(value);
                case "--out" -> p.out = Paths.get(value);
                case "--jar" -> p.config.jar = Paths.get(value);
                case "--fail-share" -> p.config.failShare = Double.parseDouble(value);
                case "--kills" -> p.config.kills = Integer.parseInt(value);
                case "--hold-ms" -> p.config.hold = Duration.ofMillis(Long.parseLong(value));
                case "--all-replicas" -> p.config.allReplicas = parseBoolean(value);
                case "--shard" -> p.config.shard = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        });
        if (p.config.failShare < 0 || p.config.failShare > 1) {
            throw new IllegalArgumentException("--fail-share must be between 0 and 1");
        }
        if (p.config.duration.toSeconds() < 10) {
            throw new IllegalArgumentException("--duration must be at least 10 s");
        }
        if (p.config.kills < 1) {
            throw new IllegalArgumentException("--kills must be at least 1");
        }
        if (p.config.jar == null) {
            p.config.jar = ServiceProcess.defaultJar();
        }
        return p;
    }
}
