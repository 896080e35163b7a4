package dev.sandboxes.client;

import dev.sandboxes.model.SandboxPhase;
import java.time.Instant;
import java.util.Map;

/**
 * One sandbox as the Temporal visibility store lists it: what its search attributes say.
 *
 * @param startTime when its workflow (its current run) started
 * @param open its workflow is still running
 */
public record SandboxSummary(
    String name, String image, SandboxPhase phase, Map<String, String> tags, Instant startTime,
    boolean open) {}
