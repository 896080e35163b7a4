package dev.sandboxes.activity;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import java.time.Duration;

/**
 * Input of {@link SandboxActivities#create}: the validated spec (with its name) and its owner.
 *
 * @param awaitEnd how long {@link SandboxActivities#createAndAwaitEnd} watches, once the object
 *     exists, for the sandbox to end; {@code null} for {@link SandboxActivities#create}, which
 *     answers at once
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record CreateSandboxRequest(SandboxSpec spec, SandboxOwner owner, Duration awaitEnd) {
  public CreateSandboxRequest(SandboxSpec spec, SandboxOwner owner) {
    this(spec, owner, null);
  }
}
