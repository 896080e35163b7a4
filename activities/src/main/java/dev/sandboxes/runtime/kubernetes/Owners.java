package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.Conventions.Labels;
import dev.sandboxes.activity.SandboxOwner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The owner recorded on every object the runtime creates (pods, helper pods, network policies,
 * claims): the owner workflow ID and first run ID, as annotations. Idempotent creates compare
 * it; the orphan reaper reads it.
 */
final class Owners {
  private Owners() {}

  /** The annotations that record {@code owner}. */
  static Map<String, String> annotations(SandboxOwner owner) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Labels.OWNER_WORKFLOW_ANNOTATION, owner.workflowId());
    annotations.put(Labels.OWNER_RUN_ANNOTATION, owner.firstRunId());
    return annotations;
  }

  /** The owner recorded on {@code object}; fields are {@code null} when it records none. */
  static SandboxOwner of(HasMetadata object) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? new SandboxOwner(null, null) : new SandboxOwner(
        annotations.get(Labels.OWNER_WORKFLOW_ANNOTATION), annotations.get(Labels.OWNER_RUN_ANNOTATION));
  }
}
