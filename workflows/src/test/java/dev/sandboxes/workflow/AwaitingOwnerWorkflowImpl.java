package dev.sandboxes.workflow;

import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import java.util.List;

public class AwaitingOwnerWorkflowImpl implements AwaitingOwnerWorkflow {
  @Override
  public List<String> run(String name) {
    Sandbox box = Sandboxes.start(SandboxSpec.builder("busybox:1.36").name(name).build());
    // ends when something ends the sandbox: its TTL, a terminate, or Temporal ending its workflow
    SandboxStatus ended = box.awaitCompletion().status();
    return List.of(ended.phase().wireName(), String.valueOf(ended.reason()));
  }
}
