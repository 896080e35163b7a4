package dev.sandboxes.model;

import java.time.Instant;

/**
 * A sandbox as its runtime observes it at one moment: the phase with its reason, derived by
 * the runtime from the platform's own status (a pure function of the pod on Kubernetes).
 *
 * @param reason a short CamelCase cause such as {@code ErrImagePull}, {@code OOMKilled} or
 *     {@code Unschedulable}; {@code null} when there is nothing to add
 * @param exitCode exit code of the main process once it ended
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record RuntimeState(
    SandboxPhase phase,
    String reason,
    String message,
    Integer exitCode,
    Instant startedAt,
    Instant finishedAt,
    RuntimeRef ref) {

}
