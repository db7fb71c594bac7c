package dev.streamq.api;

import java.util.List;

public record BatchRequest(List<JobRequest> jobs) {}
