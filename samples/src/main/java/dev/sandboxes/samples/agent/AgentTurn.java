package dev.sandboxes.samples.agent;

import java.util.List;

/**
 * One use of the code-interpreter tool: the snippet and what its sandbox left behind.
 *
 * @param sandbox the fresh sandbox the snippet ran in
 * @param phase {@code succeeded} or {@code failed} (a Python error is a result the model reads)
 * @param output the program's stdout and stderr, interleaved as they were written
 */
public record AgentTurn(String thought, String code, String sandbox, String phase, Integer exitCode,
    List<String> output) {
  public AgentTurn {
    output = output == null ? List.of() : List.copyOf(output);
  }

  public boolean succeeded() {
    return "succeeded".equals(phase);
  }
}
