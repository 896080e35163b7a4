package dev.sandboxes.batch;

import java.util.List;

/**
 * The outcome of one batch item: its last attempt's sandbox, phase and exit code, and the tail of
 * that sandbox's output.
 *
 * @param index the item's position, from 0
 * @param sandbox the name of the sandbox of the last attempt; {@code null} when it never ran
 * @param phase {@code succeeded}, {@code failed}, {@code terminated}, or {@code skipped} when the
 *     batch stopped (fail-fast, cancel) before the item started
 * @param attempts sandboxes started for it
 * @param tail the last lines of its output (bounded)
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ItemResult(int index, String sandbox, String phase, Integer exitCode, String reason,
    String message, int attempts, List<String> tail) {
  public static final String SKIPPED = "skipped";

  /** Copies {@code tail}; {@code null} for none. */
  public ItemResult {
    tail = tail == null ? List.of() : List.copyOf(tail);
  }

  /** True when the item's last attempt ended in phase {@code succeeded}. */
  public boolean succeeded() {
    return "succeeded".equals(phase);
  }
}
