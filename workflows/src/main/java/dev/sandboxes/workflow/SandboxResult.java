package dev.sandboxes.workflow;

import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxStatus;

/**
 * What a finished sandbox leaves behind: its final status and the tail of its output captured
 * before its pod was deleted. Stays readable from the closed workflow.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record SandboxResult(SandboxStatus status, LogChunk logs) {
  /** The sandbox's final phase, from {@link #status}. */
  public SandboxPhase phase() {
    return status.phase();
  }

  /** The main process's exit code, from {@link #status}; {@code null} when none was recorded. */
  public Integer exitCode() {
    return status.exitCode();
  }

  /**
   * This result with only the newest {@code lines} lines of its logs, at most
   * {@link SandboxRequest#RESULT_BYTES} of them; itself when {@code lines} is null.
   */
  public SandboxResult withNewestLines(Integer lines) {
    return lines == null ? this : new SandboxResult(status, logs.newest(lines, SandboxRequest.RESULT_BYTES));
  }
}
