package dev.sandboxes.workflow.internal;

import dev.sandboxes.Conventions;
import dev.sandboxes.workflow.SandboxResult;
import io.temporal.workflow.SignalMethod;

/**
 * The signal a child sandbox workflow sends its parent: once it is running (status only), and
 * with its final result when it was cancelled (a cancelled child returns no value).
 */
public interface SandboxEventListener {
  @SignalMethod(name = Conventions.SANDBOX_EVENT_SIGNAL)
  void onSandboxEvent(SandboxResult event);
}
