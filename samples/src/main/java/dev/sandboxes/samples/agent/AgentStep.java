package dev.sandboxes.samples.agent;

/**
 * What the model proposes: either Python to run with the code-interpreter tool, or the final
 * answer.
 *
 * @param thought why, in a sentence
 * @param code a Python program for the tool; {@code null} with an answer
 * @param answer the final answer; {@code null} while the model wants to run code
 */
public record AgentStep(String thought, String code, String answer) {
  public static AgentStep run(String thought, String code) {
    return new AgentStep(thought, code, null);
  }

  public static AgentStep answer(String thought, String answer) {
    return new AgentStep(thought, null, answer);
  }

  public boolean answers() {
    return answer != null;
  }
}
