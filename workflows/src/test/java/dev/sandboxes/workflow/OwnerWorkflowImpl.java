package dev.sandboxes.workflow;

import dev.sandboxes.model.SandboxSpec;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

public class OwnerWorkflowImpl implements OwnerWorkflow {
  @Override
  public List<String> run(String name, boolean waitForever) {
    List<String> out = new ArrayList<>();
    Sandbox handle;
    try (Sandbox box = Sandboxes.start(SandboxSpec.builder("busybox:1.36").name(name).build())) {
      handle = box;
      out.add(box.exec("echo", "hello").stdout());
      if (waitForever) {
        Workflow.await(() -> false);
      }
    }
    // Leaving the scope terminated it: the result is already there.
    out.add(handle.awaitCompletion().phase().wireName());
    return out;
  }
}
