package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the text of a pod log fetched with {@code timestamps=true}: every line is
 * {@code <RFC3339Nano> <text>}. A pure function, so the selection rules are testable without
 * an API server.
 */
final class PodLogs {
  private PodLogs() {}

  /**
   * The chunk that {@code request} selects from {@code text}, which was fetched with
   * {@code tailLines = tail + 1}: one line more than asked tells whether older lines exist.
   * The request is applied again here, so the answer is right even when the server ignored
   * {@code sinceTime} or {@code tailLines}.
   */
  static LogChunk parse(String text, LogRequest request) {
    List<LogLine> lines = new ArrayList<>();
    if (text != null && !text.isEmpty()) {
      String[] raw = text.split("\n", -1);
      int count = raw.length;
      // A trailing newline ends the last line rather than starting an empty one.
      if (raw[count - 1].isEmpty()) {
        count--;
      }
      for (int i = 0; i < count; i++) {
        lines.add(LogLine.parse(raw[i]));
      }
    }
    return new LogChunk(lines, false).select(request);
  }
}
