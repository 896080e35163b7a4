/**
 * The worker's side of the in-sandbox agent (the {@code agent/} Go program that runs as a
 * sandbox pod's first process and serves exec over HTTP). {@link AgentGateway} is the only class
 * that talks to an agent; {@link AgentExec} runs one command through it to an
 * {@link dev.sandboxes.model.ExecResult}. Machinery of the runtimes, not API.
 */
package dev.sandboxes.runtime.agent;
