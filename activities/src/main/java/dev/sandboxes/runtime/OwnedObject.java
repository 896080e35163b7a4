package dev.sandboxes.runtime;

import dev.sandboxes.model.SandboxOwner;
import java.time.Instant;
import java.util.List;

/**
 * An object this project created on a runtime, as {@link SandboxRuntime#ownedObjects} finds it
 * (by this project's label or directory): what the orphan reaper decides about.
 *
 * @param kind what it is: {@link #SANDBOX_POD}, {@link #VOLUME_HELPER_POD},
 *     {@link #NETWORK_POLICY}, {@link #AGENT_SECRET}, {@link #VOLUME_CLAIM}, {@link #LOCAL_SANDBOX} or {@link #LOCAL_VOLUME}
 * @param name its name on the platform
 * @param owner the owner recorded on it; its fields are {@code null} when none is recorded
 * @param createdAt when the platform created it; {@code null} if unknown
 * @param usedBy for volumes: the unfinished sandboxes that mount it (a volume is never removed
 *     from under a sandbox that stays); empty otherwise
 */
public record OwnedObject(String kind, String name, SandboxOwner owner, Instant createdAt,
    List<String> usedBy) {
  public static final String SANDBOX_POD = "sandbox-pod";
  public static final String VOLUME_HELPER_POD = "volume-helper-pod";
  public static final String NETWORK_POLICY = "network-policy";
  /** The Secret holding a sandbox's agent token. */
  public static final String AGENT_SECRET = "agent-secret";
  public static final String VOLUME_CLAIM = "volume-claim";
  public static final String LOCAL_SANDBOX = "local-sandbox";
  public static final String LOCAL_VOLUME = "local-volume";

  public OwnedObject {
    usedBy = usedBy == null ? List.of() : List.copyOf(usedBy);
  }

  /** Whether an owner workflow and first run are recorded on it. */
  public boolean hasOwner() {
    return owner != null && owner.workflowId() != null && !owner.workflowId().isBlank()
        && owner.firstRunId() != null && !owner.firstRunId().isBlank();
  }
}
