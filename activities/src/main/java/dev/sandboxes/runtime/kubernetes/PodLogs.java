package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
        lines.add(line(raw[i]));
      }
    }
    return new LogChunk(lines, false).select(request);
  }

  static LogLine line(String raw) {
    String stripped = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    int space = stripped.indexOf(' ');
    if (space > 0) {
      try {
        return new LogLine(Instant.parse(stripped.substring(0, space)), stripped.substring(space + 1));
      } catch (DateTimeParseException e) {
        // Not a timestamped line: keep it whole rather than lose it.
      }
    }
    return new LogLine(null, stripped);
  }
}
