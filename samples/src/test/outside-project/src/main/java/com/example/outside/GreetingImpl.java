package com.example.outside;

import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.Sandboxes;

/** Runs {@code echo} in a sandbox and returns what it printed. */
public class GreetingImpl implements Greeting {
  @Override
  public String greet(String who) {
    SandboxResult result = Sandboxes.run(SandboxSpec.builder("busybox:1.36")
        .command("sh", "-c", "echo hello $WHO").env("WHO", who).build());
    if (result.status().phase() != SandboxPhase.SUCCEEDED) {
      throw new IllegalStateException("the sandbox ended " + result.status().phase());
    }
    return result.logs().lines().get(0).text();
  }
}
