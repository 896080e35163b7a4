package dev.sandboxes.workflow;

import dev.sandboxes.model.SandboxStatus;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowLocal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per workflow run: the latest status each child sandbox reported. Registers the signal
 * listener the first time a workflow starts a sandbox. The machinery behind {@link Sandboxes}
 * and {@link Sandbox}, in their package because it hands them {@link SandboxResult}s; workflow
 * authors have no use for it.
 */
public final class SandboxEvents implements SandboxEventListener {
  private static final WorkflowLocal<SandboxEvents> CURRENT = WorkflowLocal.withCachedInitial(() -> {
    SandboxEvents events = new SandboxEvents();
    Workflow.registerListener(events);
    return events;
  });

  // Only looked up today; insertion order keeps a later iteration deterministic, and the
  // determinism check (WorkflowDeterminismRules) allows no hash-ordered map in workflow code.
  private final Map<String, SandboxResult> latest = new LinkedHashMap<>();

  private SandboxEvents() {}

  /**
   * The events of the current workflow run, made (and its signal listener registered) on first use.
   * Callable from workflow code only.
   */
  public static SandboxEvents current() {
    return CURRENT.get();
  }

  @Override
  public void onSandboxEvent(SandboxResult event) {
    latest.put(event.status().name(), event);
  }

  /** The last status the named sandbox reported, or {@code null}. */
  public SandboxStatus latest(String name) {
    SandboxResult event = latest.get(name);
    return event == null ? null : event.status();
  }

  /** The final result the named sandbox reported, or {@code null} while it is not terminal. */
  public SandboxResult finalResult(String name) {
    SandboxResult event = latest.get(name);
    return event != null && event.phase().terminal() ? event : null;
  }
}
