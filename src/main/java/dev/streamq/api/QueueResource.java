package dev.streamq.api;

import dev.streamq.auth.QueueScope;
import dev.streamq.auth.Roles;
import dev.streamq.queue.DeadLetter;
import dev.streamq.queue.QueueDepth;
import dev.streamq.queue.QueueName;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/** Queue depths and dead letters. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

    private static final int MAX_PAGE = 1000;

    private final Submissions submissions;
    private final QueueStats stats;
    private final JobService jobs;
    private final QueueScope scope;
    private final SecurityIdentity caller;

    QueueResource(Submissions submissions, QueueStats stats, JobService jobs, QueueScope scope, SecurityIdentity caller) {
        this.submissions = submissions;
        this.stats = stats;
        this.jobs = jobs;
        this.scope = scope;
        this.caller = caller;
    }

    /** The queues this caller's token covers. */
    @GET
    @Path("queues")
    @RolesAllowed({Roles.PRODUCER, Roles.READER, Roles.OPERATOR})
    public Uni<List<QueueDepth>> all() {
        return stats.all().map(all -> all.stream().filter(d -> scope.allows(caller, new QueueName(d.queue()))).toList());
    }

    @GET
    @Path("queues/{queue}")
    @RolesAllowed({Roles.PRODUCER, Roles.READER, Roles.OPERATOR})
    public Uni<QueueDepth> one(@PathParam("queue") String queue) {
        return stats.depth(scoped(queue));
    }

    /** One page of dead letters, oldest first; pass the returned {@code next} as {@code after} for the next page. */
    @GET
    @Path("queues/{queue}/dead")
    @RolesAllowed({Roles.READER, Roles.OPERATOR})
    public Uni<DeadLetterPage> dead(@PathParam("queue") String queue, @QueryParam("after") String after,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        QueueName q = scoped(queue);
        if (limit < 1 || limit > MAX_PAGE) {
            throw ProblemException.badField("limit", "limit must be between 1 and " + MAX_PAGE);
        }
        if (after != null && !after.matches("\\d+-\\d+")) {
            throw ProblemException.badField("after", "after must be a dead-letter entry id such as 1700000000000-0");
        }
        return jobs.deadLetters(q, after, limit)
                .map(items -> new DeadLetterPage(items, items.size() == limit ? items.get(items.size() - 1).entryId() : null));
    }

    @POST
    @Path("queues/{queue}/dead/redrive")
    @RolesAllowed(Roles.OPERATOR)
    public Uni<Map<String, Object>> redriveAll(@PathParam("queue") String queue) {
        QueueName q = scoped(queue);
        return jobs.redriveAll(q).map(n -> Map.of("queue", q.value(), "redriven", n));
    }

    private QueueName scoped(String queue) {
        QueueName q = submissions.queue(queue);
        scope.require(caller, q);
        return q;
    }

    public record DeadLetterPage(List<DeadLetter> items, String next) {}
}
