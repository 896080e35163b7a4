package dev.sandboxes.samples;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/** Runs one short job per input, each in its own sandbox, and an exec in a shared one. */
@WorkflowInterface
public interface FanOutWorkflow {
  @WorkflowMethod
  List<String> run(List<String> inputs);
}
