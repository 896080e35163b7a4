package dev.sandboxes.workflow;

import io.temporal.workflow.SignalMethod;

/**
 * The signal a child sandbox workflow sends its parent: once it is running (status only), and
 * with its final result when it was cancelled (a cancelled child returns no value).
 */
public interface SandboxEventListener {
  /** The signal's name: the child signals its parent by this name, through an untyped stub. */
  String SIGNAL = "__sandboxes_sandbox_event";

  /**
   * Receives an event of a child sandbox: its status once it runs, and its final result when it was
   * cancelled.
   */
  @SignalMethod(name = SIGNAL)
  void onSandboxEvent(SandboxResult event);
}
