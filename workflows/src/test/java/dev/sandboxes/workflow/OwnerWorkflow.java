package dev.sandboxes.workflow;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/** A user's workflow that owns a sandbox through the author API. */
@WorkflowInterface
public interface OwnerWorkflow {
  /** Starts {@code name}, execs in it, and either waits forever or closes the handle. */
  @WorkflowMethod
  List<String> run(String name, boolean waitForever);
}
