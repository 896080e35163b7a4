package dev.sandboxes.activity;

/**
 * Who a runtime object belongs to: the sandbox workflow ID and the run ID of its first
 * execution. A retried create that finds an object with another owner refuses to adopt it.
 */
public record SandboxOwner(String workflowId, String firstRunId) {}
