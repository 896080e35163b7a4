/** Workflow implementations and their machinery. Not API: use {@code dev.sandboxes.workflow}. */
package dev.sandboxes.workflow.internal;
