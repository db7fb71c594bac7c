package dev.streamq.lab.cli;

import dev.streamq.lab.JobsClient;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo: one job of each kind, chosen so every path of the job life cycle shows up
 * (success, retry then success, dead letter, delayed start, idempotent replay, batch).
 */
record Demo(JobsClient jobs, PrintStream out) {

    boolean run() {
        String queue = "demo";
        List<String[]> submitted = new ArrayList<>(); // {id, label, expected state}
        submitOne(submitted, queue, "noop", JobsClient.job("noop", Map.of(), null, null), null, "succeeded");
        submitOne(submitted, queue, "sleep 300 ms", JobsClient.job("sleep", Map.of("ms", 300), null, null), null,
                "succeeded");
        submitOne(submitted, queue, "cpu", JobsClient.job("cpu", Map.of("iterations", 100_000), null, null), null,
                "succeeded");
        submitOne(submitted, queue, "fails once, retried",
                JobsClient.job("fail", Map.of("failures", 1), 3, null), null, "succeeded");
        submitOne(submitted, queue, "always fails -> dead",
                JobsClient.job("fail", Map.of("failures", 100), 2, null), null, "dead");
        submitOne(submitted, queue, "runAt now+2s",
                JobsClient.job("noop", Map.of(), null, Instant.now().plusSeconds(2).toString()), null, "succeeded");
        String key = "lab-demo-" + System.nanoTime();
        submitOne(submitted, queue, "idempotent (1st)", JobsClient.job("noop", Map.of(), null, null), key, "succeeded");
        JobsClient.Reply replay = jobs.submit(queue, JobsClient.job("noop", Map.of(), null, null), key);
        String replayId = String.valueOf(replay.body().get("id"));
        boolean replayOk = replay.status() / 100 == 2 && replayId.equals(submitted.get(submitted.size() - 1)[0]);
        out.printf("  idempotent replay -> HTTP %d, same id: %s%n", replay.status(), replayOk);

        JobsClient.Reply batch = jobs.submitBatch(queue, List.of(
                JobsClient.job("noop", Map.of(), null, null), JobsClient.job("noop", Map.of(), null, null)));
        out.println("  batch of 2 -> HTTP " + batch.status());
        if (batch.body().get("jobs") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> accepted) {
                    submitted.add(new String[] {String.valueOf(accepted.get("id")), "batch noop", "succeeded"});
                }
            }
        }

        out.println();
        out.printf("%-44s %-24s %-10s %-9s %s%n", "job id", "what", "state", "attempts", "last error");
        boolean ok = replayOk && batch.status() == 202;
        for (String[] job : submitted) {
            Map<String, Object> view = job[0] == null ? Map.of("state", "not accepted")
                    : jobs.awaitTerminal(job[0], Duration.ofSeconds(60));
            String state = String.valueOf(view.get("state"));
            boolean expected = state.equals(job[2]);
            ok &= expected;
            out.printf("%-44s %-24s %-10s %-9s %s%s%n", job[0], job[1], state, view.getOrDefault("attempts", "-"),
                    view.getOrDefault("lastError", ""), expected ? "" : "   <-- expected " + job[2]);
        }
        out.println(ok ? "demo: every job ended as expected" : "demo: some jobs did NOT end as expected");
        return ok;
    }

    private void submitOne(List<String[]> submitted, String queue, String label, Map<String, Object> body,
            String idempotencyKey, String expected) {
        JobsClient.Reply reply = jobs.submit(queue, body, idempotencyKey);
        String id = reply.status() / 100 == 2 ? String.valueOf(reply.body().get("id")) : null;
        if (id == null) {
            out.println("  " + label + " -> HTTP " + reply.status() + " " + reply.text());
        }
        submitted.add(new String[] {id, label, expected});
    }
}
