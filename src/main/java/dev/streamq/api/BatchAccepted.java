package dev.streamq.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

@RegisterForReflection
public record BatchAccepted(List<JobAccepted> jobs) {}
