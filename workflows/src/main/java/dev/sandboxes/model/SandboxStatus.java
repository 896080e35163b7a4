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

  /**
   * This status once its workflow closed without running the code that ends a sandbox (phase truth
   * when the project is bypassed): {@code how} is {@link SandboxReason#WORKFLOW_TERMINATED} or
   * {@link SandboxReason#WORKFLOW_TIMED_OUT} (phase {@code terminated}) or {@link
   * SandboxReason#WORKFLOW_FAILED} (phase {@code failed}); the reason is {@code reason} when given
   * (a typed failure's own), else {@code how}'s; the message says what happened, with {@code detail}
   * (the terminate's reason, the failure's message) when there is one; finished {@code at}. Itself
   * when the recorded phase is terminal already: that phase stands.
   */
  public SandboxStatus closedOutside(SandboxReason how, String reason, String detail, Instant at) {
    if (phase != null && phase.terminal()) {
      return this;
    }
    String text = closedOutsideMessage(how, detail);
    return new SandboxStatus(name, image, how == SandboxReason.WORKFLOW_FAILED ? SandboxPhase.FAILED : SandboxPhase.TERMINATED,
        reason != null ? reason : how.wireName(), text, exitCode, createdAt, startedAt, at, ref, tags, execCount);
  }

  /**
   * What {@link #closedOutside} says of a sandbox whose workflow {@code how} closed, with
   * {@code detail} (null for none).
   */
  public static String closedOutsideMessage(SandboxReason how, String detail) {
    String said = detail == null || detail.isBlank() ? "" : " (" + detail + ")";
    return switch (how) {
      case WORKFLOW_TERMINATED -> "its workflow was terminated outside the sandbox API" + said
          + ", which runs none of its cleanup: the reaper removes what it left";
      case WORKFLOW_TIMED_OUT -> "its workflow passed the execution timeout it was started with" + said
          + " before the sandbox ended; no cleanup ran: the reaper removes what it left";
      case WORKFLOW_FAILED -> "its workflow failed" + said + " before the sandbox ended; the reaper removes what it left";
      default -> throw new IllegalArgumentException("not a way a workflow closes: " + how);
    };
  }

  /** This status with {@code entries} as its tags. */
  public SandboxStatus withTags(Map<String, String> entries) {
    return new SandboxStatus(name, image, phase, reason, message, exitCode, createdAt, startedAt, finishedAt, ref,
        entries, execCount);
  }
}
