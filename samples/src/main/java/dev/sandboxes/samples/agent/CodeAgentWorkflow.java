package dev.sandboxes.samples.agent;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * An agent loop with a code-interpreter tool: the model proposes a Python snippet, the snippet
 * runs in a fresh sandbox, its output (errors included) goes back to the model, until the model
 * answers or runs out of turns.
 */
@WorkflowInterface
public interface CodeAgentWorkflow {
  @WorkflowMethod
  AgentTranscript solve(String task, int maxTurns);
}
