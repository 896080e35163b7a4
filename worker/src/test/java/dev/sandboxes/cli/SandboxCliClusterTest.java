package dev.sandboxes.cli;

/**
 * The CLI tests against the end-to-end rig: its Temporal dev server and a worker on the
 * Kubernetes runtime ({@code -Dsandboxes.cli.address=HOST:PORT}, e2e profile only).
 */
class SandboxCliClusterTest extends SandboxCliTest {}
