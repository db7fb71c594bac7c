package dev.streamq.redis;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Redis call in flight per key: what is offered for a key while its call is in flight
 * waits, and goes as the next call when that one returns (at most {@code maxItems} a call).
 * Nothing waits when the key is idle: the first item goes at once. Redis then does one script
 * per group instead of one per item, which is what bounds it under concurrency (the group
 * commit of single submits, the worker's completions).
 *
 * <p>The writer settles every member of a group, each with its own answer or its own error.
 * Each member resumes on the Vert.x context it was offered on: the group's reply arrives on
 * the context of whichever member sent the call, and a member's context-locals (its
 * OpenTelemetry span) belong to it alone; finishing a member on another one's context left
 * that span current on the event loop thread for later work.
 *
 * @param <K> what calls are grouped by (a queue: one script call touches one queue's keys)
 * @param <I> one member's input
 * @param <O> one member's answer
 */
public final class GroupedCalls<K, I, O> {

    /** Writes one group, settling each member; the returned Uni ends when all are settled. */
    @FunctionalInterface
    public interface Writer<K, I, O> {
        Uni<Void> write(K key, List<Member<I, O>> group);
    }

    private final int maxItems;
    private final Writer<K, I, O> writer;
    private final ConcurrentHashMap<K, Lane> lanes = new ConcurrentHashMap<>();

    public GroupedCalls(int maxItems, Writer<K, I, O> writer) {
        if (maxItems < 1) {
            throw new IllegalArgumentException("a group holds at least one item, not " + maxItems);
        }
        this.maxItems = maxItems;
        this.writer = writer;
    }

    /** The item's answer, once the group it went in was written. */
    public Uni<O> offer(K key, I item) {
        return Uni.createFrom().emitter(emitter -> lanes.computeIfAbsent(key, Lane::new)
                .offer(new Member<>(item, emitter, Vertx.currentContext())));
    }

    /** One member of a group: its input, and its answer to give. */
    public static final class Member<I, O> {

        private final I item;
        private final UniEmitter<? super O> answer;
        private final Context origin;

        private Member(I item, UniEmitter<? super O> answer, Context origin) {
            this.item = item;
            this.answer = answer;
            this.origin = origin;
        }

        public I item() {
            return item;
        }

        public void complete(O value) {
            resume(() -> answer.complete(value));
        }

        public void fail(Throwable failure) {
            resume(() -> answer.fail(failure));
        }

        private void resume(Runnable done) {
            if (origin == null || origin == Vertx.currentContext()) {
                done.run();
            } else {
                origin.runOnContext(ignored -> done.run());
            }
        }
    }

    /** One key's waiting members and whether its call is in flight. */
    private final class Lane {

        private final K key;
        private final ArrayDeque<Member<I, O>> waiting = new ArrayDeque<>();
        private boolean inFlight;

        Lane(K key) {
            this.key = key;
        }

        void offer(Member<I, O> member) {
            synchronized (this) {
                waiting.add(member);
                if (inFlight) {
                    return;
                }
                inFlight = true;
            }
            sendNext();
        }

        /** Sends what waits, up to the maximum; when nothing waits, the lane is idle again. */
        private void sendNext() {
            List<Member<I, O>> group;
            synchronized (this) {
                if (waiting.isEmpty()) {
                    inFlight = false;
                    // an idle key holds no lane (bounded state); an offer racing this removal
                    // still works on this lane, and the next one makes a new lane
                    lanes.remove(key, this);
                    return;
                }
                group = new ArrayList<>(Math.min(waiting.size(), maxItems));
                while (!waiting.isEmpty() && group.size() < maxItems) {
                    group.add(waiting.poll());
                }
            }
            Uni<Void> written;
            try {
                written = writer.write(key, group);
            } catch (RuntimeException e) {
                group.forEach(m -> m.fail(e));
                written = Uni.createFrom().voidItem();
            }
            written.subscribe().with(done -> sendNext(), failure -> {
                group.forEach(m -> m.fail(failure)); // a writer that failed without settling: settle here (a second settle is ignored)
                sendNext();
            });
        }
    }
}
