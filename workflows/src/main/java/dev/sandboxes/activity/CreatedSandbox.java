package dev.sandboxes.activity;

import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.RuntimeState;

/**
 * What {@link SandboxActivities#createAndAwaitEnd} answers: the sandbox's latest state and, when
 * it had ended and its output could be read, its log tail (then only the delete is left to do).
 *
 * @param captured the log tail of an ended sandbox; {@code null} while it is still going, or when
 *     its output could not be read (the cleanup then captures as for any sandbox)
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record CreatedSandbox(RuntimeState state, LogChunk captured) {}
