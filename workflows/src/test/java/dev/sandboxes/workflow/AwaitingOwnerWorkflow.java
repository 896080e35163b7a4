package dev.sandboxes.workflow;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/** A user's workflow that starts a sandbox through the author API and waits for it to end. */
@WorkflowInterface
public interface AwaitingOwnerWorkflow {
  /** Starts {@code name} (idle) and returns the phase and reason it ended with. */
  @WorkflowMethod(name = "AwaitingOwner")
  List<String> run(String name);
}
