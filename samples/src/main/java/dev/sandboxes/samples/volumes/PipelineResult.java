package dev.sandboxes.samples.volumes;

import java.util.List;

/** Each stage's sandbox, how it ended and what it printed. */
public record PipelineResult(Stage producer, Stage consumer) {
  public record Stage(String sandbox, String phase, Integer exitCode, List<String> output) {
    public Stage {
      output = output == null ? List.of() : List.copyOf(output);
    }
  }
}
