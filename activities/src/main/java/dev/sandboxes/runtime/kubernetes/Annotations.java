package dev.sandboxes.runtime.kubernetes;

/**
 * Annotation keys on the Kubernetes objects of sandboxes and volumes: what no selector needs, read
 * by people and by the idempotent create, which compares the recorded owner with its own.
 */
public final class Annotations {
  private Annotations() {}

  /** The owner's workflow ID ({@code SandboxOwner.workflowId}). */
  public static final String OWNER_WORKFLOW = "sandboxes.dev/owner-workflow-id";
  /** The run ID of the owner's first execution ({@code SandboxOwner.firstRunId}). */
  public static final String OWNER_RUN = "sandboxes.dev/owner-first-run-id";
  /** The sandbox's image, as its spec named it. */
  public static final String IMAGE = "sandboxes.dev/image";
  /** On a pod that runs the in-sandbox agent: the port it serves on. Absent: no agent. */
  public static final String AGENT_PORT = "sandboxes.dev/agent-port";
}
