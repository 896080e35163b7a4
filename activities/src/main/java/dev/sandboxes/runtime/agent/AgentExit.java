package dev.sandboxes.runtime.agent;

/**
 * How a command run by the agent ended (the payload of its output's exit frame).
 *
 * @param exitCode the exit code; 128+N when signal N ended it; 124 when it timed out; 127 when
 *     the program was not found
 * @param timedOut the agent killed it at its timeout
 * @param killed the agent killed it on request
 * @param error why it could not start, when it could not
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record AgentExit(int exitCode, boolean timedOut, boolean killed, String error) {}
