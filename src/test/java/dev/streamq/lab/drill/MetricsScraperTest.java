package dev.streamq.lab.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsScraperTest {

    private static final String RETRIES = "streamq_jobs_retried_total";

    @Test
    void countsFromTheFirstScrapeAndCarriesAcrossARestart() {
        MetricsScraper scraper = new MetricsScraper(null);
        // the warm-up's 10 retries are in the first scrape: not the drill's
        scraper.record(RETRIES + "{queue=\"drill\"} 10.0\n# HELP something\njvm_threads 40\n");
        scraper.record(RETRIES + "{queue=\"drill\"} 15.0\n");
        // kill -9 and restart: the counter starts again from 0 and reaches 3
        scraper.record(RETRIES + "{queue=\"drill\"} 3.0\n" + RETRIES + "{queue=\"other\"} 2.0\n");

        assertEquals(5 + 3 + 2, scraper.sum(RETRIES), "5 before the kill, 3 after it, 2 on a series first seen later");
        assertEquals(Map.of("{queue=\"drill\"}", 8.0, "{queue=\"other\"}", 2.0), scraper.totals(RETRIES));
        assertEquals(0, scraper.sum("jvm_threads"), "only streamq_* series are kept");
    }
}
