package dev.sandboxes.cli;

/**
 * The CLI tests against the end-to-end rig: its Temporal dev server and a worker on the
 * Kubernetes runtime ({@code -Dsandboxes.cli.address=HOST:PORT}, e2e profile only), whose
 * sandboxes run the in-sandbox agent: streaming, logs --follow and attach go through it here.
 */
class SandboxCliClusterTest extends SandboxCliTest {}
