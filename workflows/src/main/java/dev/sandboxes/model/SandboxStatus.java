package dev.sandboxes.model;

import java.time.Instant;
import java.util.Map;

/**
 * The observed state of a sandbox as its workflow records it: phase with reason and message,
 * exit code, the times of its transitions and where it runs.
 *
 * @param createdAt when the sandbox workflow accepted it
 * @param startedAt when the main process started
 * @param finishedAt when it reached a terminal phase
 * @param execCount how many exec calls it served
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record SandboxStatus(
    String name,
    String image,
    SandboxPhase phase,
    String reason,
    String message,
    Integer exitCode,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    RuntimeRef ref,
    Map<String, String> tags,
    int execCount) {

  /** Copies {@code tags}; {@code null} for none. */
  public SandboxStatus {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }
}
