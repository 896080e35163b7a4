package dev.sandboxes.reaper;

/**
 * A runtime object the reaper removed, or would remove in a dry run.
 *
 * @param kind {@code sandbox-pod}, {@code volume-helper-pod}, {@code network-policy},
 *     {@code volume-claim} (Kubernetes), {@code local-sandbox}, {@code local-volume} (local)
 * @param name the object's name on its platform
 * @param ownerWorkflowId the workflow recorded as its owner
 * @param ownerFirstRunId the first run of that workflow recorded as its owner
 * @param why why it counts as an orphan, e.g. that its owner workflow was terminated
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ReapedObject(String kind, String name, String ownerWorkflowId, String ownerFirstRunId,
    String why) {}
