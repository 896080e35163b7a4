package dev.sandboxes.cli.demo;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/** The demo: fans out {@code count} sandboxes, each computing something small, and collects them. */
@WorkflowInterface
public interface DemoWorkflow {
  record Row(String name, String phase, Integer exitCode, String output) {}

  @WorkflowMethod(name = "SandboxDemo")
  List<Row> run(int count);
}
