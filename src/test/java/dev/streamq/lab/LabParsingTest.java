package dev.streamq.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsers the drills rely on: sentinel log events, service JSON log lines, RESP encoding, ports. */
class LabParsingTest {

    @Test
    void sentinelEventLineKeepsMillisecondsTypeAndDetail() {
        SentinelNode.Event event = SentinelNode.parseEvent(
                "4242:X 29 Nov 2026 12:10:03.457 # +switch-master mymaster 127.0.0.1 21000 127.0.0.1 21001");
        assertEquals("+switch-master", event.type());
        assertEquals("mymaster 127.0.0.1 21000 127.0.0.1 21001", event.detail());
        assertEquals(LocalDateTime.of(2026, 11, 29, 12, 10, 3, 457_000_000).atZone(ZoneId.systemDefault()).toInstant(),
                event.time());
        assertEquals("-sdown", SentinelNode.parseEvent("1:X 1 Dec 2026 00:00:00.001 * -sdown slave x").type());
        assertNull(SentinelNode.parseEvent("4242:X 29 Nov 2026 12:10:03.457 * Sentinel new configuration saved on disk"));
        assertNull(SentinelNode.parseEvent("garbage"));
    }

    @Test
    void serviceLogLinesAreReadAsEventsWithTheirMdcFields() {
        LogEvent started = ServiceLog.parse("{\"timestamp\":\"2026-01-01T00:00:01.5Z\",\"level\":\"INFO\",\"message\":\"job started\","
                + "\"mdc\":{\"event\":\"job_started\",\"queue\":\"q\",\"job_id\":\"j1\",\"attempt\":\"1\"}}");
        assertEquals("job_started", started.event());
        assertEquals("q", started.queue());
        assertEquals("j1", started.jobId());
        assertEquals(1, started.attempt());
        assertEquals(java.time.Instant.parse("2026-01-01T00:00:01.5Z").toEpochMilli(), started.timeMillis());
        LogEvent dead = ServiceLog.parse("{\"timestamp\":\"2026-01-01T00:00:02Z\",\"message\":\"x\","
                + "\"mdc\":{\"event\":\"job_dead_lettered\",\"job_id\":\"j2\",\"attempt\":\"3\",\"error\":\"boom\","
                + "\"reason\":\"max_attempts\"}}");
        assertEquals("job_dead_lettered", dead.event());
        assertEquals("j2", dead.jobId());
        assertEquals(3, dead.attempt());
        assertEquals("boom", dead.error());
        assertEquals("max_attempts", dead.reason());
        assertNull(ServiceLog.parse("{\"timestamp\":\"2026-01-01T00:00:02Z\",\"message\":\"no event\",\"mdc\":{}}"));
        assertNull(ServiceLog.parse("Exception in thread main"));
        assertNull(ServiceLog.parse("{not json"));
    }

    @Test
    void serviceLogReadsOnFromWhereItStopped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("svc.log");
        String line = "{\"timestamp\":\"2026-01-01T00:00:01Z\",\"message\":\"m\",\"mdc\":{\"event\":\"%s\",\"job_id\":\"%s\"}}%n";
        Files.writeString(file, String.format(line, "job_started", "a") + String.format(line, "job_succeeded", "a") + "{\"cut by kill");
        ServiceLog log = new ServiceLog(file, Set.of("job_succeeded"));
        assertEquals(List.of("a"), log.readOn().stream().map(LogEvent::jobId).toList());
        Files.writeString(file, " -9\n" + String.format(line, "job_succeeded", "b"), StandardOpenOption.APPEND);
        assertEquals(List.of("b"), log.readOn().stream().map(LogEvent::jobId).toList(), "only what was appended");
        assertEquals(3, ServiceLog.readAll(file).size());
    }

    @Test
    void respInfoAndPairsParse() {
        Map<String, String> info = RespClient.parseInfo("# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n\r\n");
        assertEquals("slave", info.get("role"));
        assertEquals("up", info.get("master_link_status"));
        assertEquals(Map.of("ip", "127.0.0.1", "port", "1"), RespClient.pairs(List.of("ip", "127.0.0.1", "port", "1")));
        assertEquals("*2\r\n$4\r\nECHO\r\n$2\r\n\u00e9\r\n".length() + 1, // é is two bytes in UTF-8
                new String(RespClient.encode("ECHO", "\u00e9"), java.nio.charset.StandardCharsets.ISO_8859_1).length());
    }

    @Test
    void portsAreDistinctAndOutsideTheEphemeralRange() {
        int a = Ports.free();
        int b = Ports.free();
        assertTrue(a != b);
        assertTrue(a >= Ports.LOW && a < Ports.HIGH);
        assertTrue(Ports.isFree(a));
    }
}
