package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.SandboxOwner;
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
    annotations.put(Annotations.OWNER_WORKFLOW, owner.workflowId());
    annotations.put(Annotations.OWNER_RUN, owner.firstRunId());
    return annotations;
  }

  /** The owner recorded on {@code object}; fields are {@code null} when it records none. */
  static SandboxOwner of(HasMetadata object) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? new SandboxOwner(null, null) : new SandboxOwner(
        annotations.get(Annotations.OWNER_WORKFLOW), annotations.get(Annotations.OWNER_RUN));
  }
}
