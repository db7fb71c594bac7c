package dev.streamq.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code lab bench --peer} accepts: BullMQ, or another build's jar that exists. */
class PeerOptionsTest {

    @TempDir
    Path dir;

    @Test
    void bullmqHasNoPeerJar() {
        PeerOptions o = PeerOptions.parse(List.of("--peer", "bullmq", "--paced-warmup-seconds", "0"));
        assertNull(o.peerJar());
        assertEquals(0, o.pacedWarmupSeconds);
    }

    @Test
    void anotherBuildsJarIsThePeer() throws IOException {
        Path jar = Files.createFile(dir.resolve("quarkus-run.jar"));
        PeerOptions o = PeerOptions.parse(List.of("--peer", "jar:" + jar));
        assertEquals(jar, o.peerJar());
        assertTrue(o.command().contains("--peer jar:" + jar), o.command());
    }

    @Test
    void aMissingJarOrAnUnknownPeerIsRefused() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PeerOptions.parse(List.of("--peer", "jar:" + dir.resolve("nothing.jar"))));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(List.of("--peer", "jar:")));
        assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(List.of("--peer", "sidekiq")));
        assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(List.of("--peer", "bullmq", "--paced-warmup-seconds", "-1")));
    }
}
