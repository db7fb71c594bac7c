package dev.streamq.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.auth.QueueScope;
import dev.streamq.auth.Roles;
import dev.streamq.queue.Enqueued;
import dev.streamq.queue.IdempotencyConflictException;
import dev.streamq.queue.JobId;
import dev.streamq.queue.QueueName;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** Submitting and reading jobs. Thin: validate, call the service, map the result to a status. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Set on an answer that returns an existing job for a reused Idempotency-Key. */
    static final String REPLAYED = "Idempotent-Replayed";

    private final Submissions submissions;
    private final JobService jobs;
    private final ObjectMapper json;
    private final QueueScope scope;
    private final SecurityIdentity caller;

    JobResource(Submissions submissions, JobService jobs, ObjectMapper json, QueueScope scope, SecurityIdentity caller) {
        this.submissions = submissions;
        this.jobs = jobs;
        this.json = json;
        this.scope = scope;
        this.caller = caller;
    }

    /** 202 with Location for a new job; 200 with Idempotent-Replayed: true for a reused key. */
    @POST
    @Path("queues/{queue}/jobs")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.PRODUCER, Roles.OPERATOR})
    public Uni<Response> submit(@PathParam("queue") String queue, @Context HttpHeaders headers, JobRequest request) {
        QueueName q = submissions.queue(queue);
        scope.require(caller, q);
        // the raw header list: @HeaderParam reads an empty value as absent
        var job = submissions.one(request, headers.getRequestHeader(IDEMPOTENCY_KEY));
        return jobs.submit(q, List.of(job))
                .onFailure(IdempotencyConflictException.class).transform(e -> conflict(IDEMPOTENCY_KEY))
                .map(accepted -> {
            Enqueued e = accepted.get(0);
            Response.ResponseBuilder answer = e.replayed()
                    ? Response.ok().header(REPLAYED, "true")
                    : Response.accepted();
            return answer.location(URI.create("/jobs/" + e.id())).entity(JobAccepted.of(e)).build();
        });
    }

    @POST
    @Path("queues/{queue}/jobs/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.PRODUCER, Roles.OPERATOR})
    public Uni<Response> submitBatch(@PathParam("queue") String queue, BatchRequest request) {
        QueueName q = submissions.queue(queue);
        scope.require(caller, q);
        var batch = submissions.batch(request);
        return jobs.submit(q, batch)
                .onFailure(IdempotencyConflictException.class).transform(e -> conflict(
                        "jobs[" + ((IdempotencyConflictException) e).jobIndex() + "].idempotencyKey"))
                .map(accepted -> Response.accepted()
                .entity(new BatchAccepted(accepted.stream().map(JobAccepted::of).toList())).build());
    }

    /** RFC 9457 advice for a reused key with another body: 422, and nothing was written. */
    private static ProblemException conflict(String field) {
        return new ProblemException(422, field,
                "this idempotency key was already used for a different request (type, payload, maxAttempts or runAt differ)");
    }

    @GET
    @Path("jobs/{id}")
    @RolesAllowed({Roles.PRODUCER, Roles.READER, Roles.OPERATOR})
    public Uni<JobView> get(@PathParam("id") String id) {
        requireScopeOfJob(id);
        return jobs.find(id).map(job -> job
                .map(j -> JobView.of(j, json))
                .orElseThrow(() -> new ProblemException(404, "id", "no job " + id)));
    }

    /** Sends one dead job back to its ready stream with a fresh set of attempts. */
    @POST
    @Path("jobs/{id}/redrive")
    @RolesAllowed(Roles.OPERATOR)
    public Uni<Map<String, Object>> redrive(@PathParam("id") String id) {
        requireScopeOfJob(id);
        return jobs.redrive(id).map(result -> {
            if (result.isEmpty()) {
                throw new ProblemException(404, "id", "no job " + id);
            }
            if (!result.get()) {
                throw new ProblemException(409, "id", "job " + id + " is not dead");
            }
            return Map.of("id", id, "redriven", true);
        });
    }

    /** A job id names its queue; an id that names none is simply not found later. */
    private void requireScopeOfJob(String id) {
        JobId.queueOf(id).ifPresent(q -> scope.require(caller, q));
    }
}
