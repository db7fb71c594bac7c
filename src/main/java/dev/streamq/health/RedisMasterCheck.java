package dev.streamq.health;

import dev.streamq.queue.Broker;
import dev.streamq.redis.CredentialsCheck;
import dev.streamq.redis.RedisErrorKind;
import dev.streamq.redis.Shards;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the server the client writes to answers ROLE with "master" and has memory
 * for writes. PING (what the stock Redis check sends) also succeeds on a demoted master, which
 * would keep a pod ready while every write fails with READONLY; ROLE alone keeps it ready while
 * every write fails with OOM under noeviction.
 *
 * <p>On Redis Cluster each shard's master is asked, and the check's data names every shard
 * (its slots, its master, or why it cannot take writes). The pod stays ready while at least one
 * shard takes writes: a shard that is down fails its own queues' calls (503), and taking the pod
 * out of service for it would refuse the queues of every other shard too.
 */
@Readiness
@ApplicationScoped
public class RedisMasterCheck implements AsyncHealthCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final String NAME = "redis-master";

    private final Broker broker;
    private final Shards shards;

    RedisMasterCheck(Broker broker, Shards shards) {
        this.broker = broker;
        this.shards = shards;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (!shards.clustered()) {
            return writable(shards.all().get(0)).map(state -> {
                var response = HealthCheckResponse.named(NAME).status(state.writable());
                state.data().forEach(response::withData);
                return response.build();
            });
        }
        List<Shards.Shard> all = shards.all();
        return Uni.join().all(all.stream().map(this::writable).toList()).andFailFast().map(states -> {
            var response = HealthCheckResponse.named(NAME).status(states.stream().anyMatch(ShardState::writable));
            for (int i = 0; i < all.size(); i++) {
                ShardState state = states.get(i);
                response.withData("slots " + all.get(i).slots(), state.writable()
                        ? "master " + all.get(i).master() : "down: " + String.join(", ", state.data().values()));
            }
            return response.build();
        });
    }

    /** Whether the shard's master takes writes, and what the check says about it. */
    private record ShardState(boolean writable, Map<String, String> data) {
    }

    private Uni<ShardState> writable(Shards.Shard shard) {
        return broker.serverState(shard)
                .ifNoItem().after(TIMEOUT).fail()
                .map(state -> {
                    Map<String, String> data = new LinkedHashMap<>();
                    data.put("role", state.role());
                    data.put("memory", state.memoryFull() ? "full" : "ok");
                    return new ShardState("master".equals(state.role()) && !state.memoryFull(), data);
                })
                .onFailure().recoverWithItem(failure -> {
                    Map<String, String> data = new LinkedHashMap<>();
                    // a timeout has no message: say what it was
                    data.put("error", failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName());
                    if (RedisErrorKind.of(failure) == RedisErrorKind.AUTH) {
                        data.put("fix", "set " + CredentialsCheck.SETTING);
                    }
                    return new ShardState(false, data);
                });
    }
}
