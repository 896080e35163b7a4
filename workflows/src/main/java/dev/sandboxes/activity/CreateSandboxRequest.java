package dev.sandboxes.activity;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import java.time.Duration;

/**
 * Input of {@link SandboxActivities#create}: the validated spec (with its name) and its owner.
 *
 * @param awaitEnd how long the create, once its object exists, watches for the sandbox to end
 *     before answering; {@code null} to answer at once. A sandbox whose command ends within it
 *     needs no watch activity of its own (a batch item's usual case): its workflow goes from the
 *     create straight to the cleanup. A sandbox still going answers with its latest phase.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record CreateSandboxRequest(SandboxSpec spec, SandboxOwner owner, Duration awaitEnd) {
  public CreateSandboxRequest(SandboxSpec spec, SandboxOwner owner) {
    this(spec, owner, null);
  }
}
