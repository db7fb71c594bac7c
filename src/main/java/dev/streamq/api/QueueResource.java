package dev.streamq.api;

import dev.streamq.auth.QueueScope;
import dev.streamq.auth.Roles;
import dev.streamq.queue.DeadLetter;
import dev.streamq.queue.QueueDepth;
import dev.streamq.queue.QueueName;
import dev.streamq.queue.StreamId;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Queue depths and dead letters. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

    private static final int MAX_PAGE = 1000;
    private static final int DEFAULT_PAGE = 100;

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
            @QueryParam("limit") String limit) {
        QueueName q = scoped(queue);
        int size = pageSize(limit);
        Optional<StreamId> cursor = after == null ? Optional.empty() : StreamId.parse(after);
        if (after != null && cursor.isEmpty()) {
            throw ProblemException.badField("after", "after must be a dead-letter entry id such as 1700000000000-0");
        }
        if (cursor.isPresent() && cursor.get().isLast()) {
            return Uni.createFrom().item(new DeadLetterPage(List.of(), null));
        }
        return jobs.deadLetters(q, cursor.map(StreamId::toString).orElse(null), size)
                .map(items -> new DeadLetterPage(items, items.size() == size ? items.get(items.size() - 1).entryId() : null));
    }

    /** Read as text: a JAX-RS int parameter that does not parse answers 404, not a 400 naming it. */
    private static int pageSize(String limit) {
        if (limit == null) {
            return DEFAULT_PAGE;
        }
        try {
            int size = Integer.parseInt(limit);
            if (size >= 1 && size <= MAX_PAGE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // refused below, with the same words as an out-of-range number
        }
        throw ProblemException.badField("limit", "limit must be a whole number between 1 and " + MAX_PAGE);
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
