package dev.sandboxes.model;

import java.util.List;

/**
 * Log lines read from a sandbox, oldest first.
 *
 * @param truncated older lines exist that were not returned (beyond the tail or size cap)
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record LogChunk(List<LogLine> lines, boolean truncated) {
  /** Copies {@code lines}; {@code null} for none. */
  public LogChunk {
    lines = lines == null ? List.of() : List.copyOf(lines);
  }

  /** No lines, and not truncated. */
  public static LogChunk empty() {
    return new LogChunk(List.of(), false);
  }

  /** The lines that a request selects from this chunk: those since its instant, then its tail. */
  public LogChunk select(LogRequest request) {
    List<LogLine> selected = lines;
    if (request.since() != null) {
      selected = selected.stream()
          .filter(l -> l.timestamp() == null || !l.timestamp().isBefore(request.since()))
          .toList();
    }
    int tail = request.effectiveTail();
    boolean cut = truncated;
    if (selected.size() > tail) {
      selected = selected.subList(selected.size() - tail, selected.size());
      cut = true;
    }
    return new LogChunk(selected, cut);
  }

  /** The newest lines whose text fits in {@code maxChars}; truncated when lines were left out. */
  public LogChunk newest(int maxChars) {
    return newest(Integer.MAX_VALUE, maxChars);
  }

  /**
   * The newest lines, at most {@code maxLines} of them, whose text fits in {@code maxChars};
   * truncated when lines were left out (or this chunk already was).
   */
  public LogChunk newest(int maxLines, int maxChars) {
    int total = 0;
    int from = lines.size();
    while (from > 0 && lines.size() - from < maxLines
        && total + lines.get(from - 1).text().length() <= maxChars) {
      from--;
      total += lines.get(from).text().length();
    }
    return from == 0 ? this : new LogChunk(lines.subList(from, lines.size()), true);
  }
}
