package dev.streamq.api;

import java.util.List;

public record BatchAccepted(List<JobAccepted> jobs) {}
