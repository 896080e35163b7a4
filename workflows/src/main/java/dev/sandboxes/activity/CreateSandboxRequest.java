package dev.sandboxes.activity;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;

/** Input of {@link SandboxActivities#create}: the validated spec (with its name) and its owner. */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record CreateSandboxRequest(SandboxSpec spec, SandboxOwner owner) {}
