package dev.sandboxes.model;

/**
 * Who a runtime object belongs to: the sandbox workflow ID and the run ID of its first
 * execution. A retried create that finds an object with another owner refuses to adopt it.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record SandboxOwner(String workflowId, String firstRunId) {}
