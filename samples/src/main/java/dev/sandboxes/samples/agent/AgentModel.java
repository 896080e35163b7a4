package dev.sandboxes.samples.agent;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * The model behind the agent: given the task and the transcript so far, the next step. A real
 * agent calls an LLM here; as an activity, that call is retried and recorded like any other I/O.
 */
@ActivityInterface
public interface AgentModel {
  @ActivityMethod
  AgentStep next(String task, List<AgentTurn> transcript);
}
