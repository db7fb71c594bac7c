package dev.streamq.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
    void serviceLogLinesAreParsedAndMdcFieldsLifted() {
        Map<String, Object> top = ServiceProcess.parseLogLine(
                "{\"level\":\"INFO\",\"event\":\"job_started\",\"queue\":\"q\",\"job_id\":\"j1\",\"attempt\":1}");
        assertEquals("job_started", top.get("event"));
        assertEquals(1, top.get("attempt"));
        Map<String, Object> mdc = ServiceProcess.parseLogLine(
                "{\"message\":\"x\",\"mdc\":{\"event\":\"job_dead_lettered\",\"job_id\":\"j2\"}}");
        assertEquals("job_dead_lettered", mdc.get("event"));
        assertEquals("j2", mdc.get("job_id"));
        assertNull(ServiceProcess.parseLogLine("Exception in thread main"));
        assertNull(ServiceProcess.parseLogLine("{not json"));
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
