package dev.sandboxes.samples.agent;

import java.util.List;

/** The whole conversation: every tool use in order and the model's final answer. */
public record AgentTranscript(String task, List<AgentTurn> turns, String thought, String answer) {
  public AgentTranscript {
    turns = turns == null ? List.of() : List.copyOf(turns);
  }
}
