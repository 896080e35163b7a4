package dev.sandboxes.model;

import java.util.List;

/**
 * What a read of an exec's output returns: the output written since the offset read from, in
 * order, and where the next read starts. Empty pieces and the same offset mean nothing came
 * within the wait.
 *
 * @param nextOffset the offset to read from next
 * @param ended the command ended and every piece of its output has been read
 * @param exitCode its exit code once ended (124 when it timed out), else {@code null}
 * @param timedOut it ended because its timeout passed
 * @param unavailable the sandbox keeps no exec output (it runs without the in-sandbox agent): an
 *     exec's output comes with its result, and nothing else here means anything
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ExecOutputChunk(List<OutputPiece> pieces, long nextOffset, boolean ended,
    Integer exitCode, boolean timedOut, boolean unavailable) {
  /** Copies {@code pieces}; {@code null} for none. */
  public ExecOutputChunk {
    pieces = pieces == null ? List.of() : List.copyOf(pieces);
  }

  /** A chunk of a sandbox that keeps its execs' output. */
  public ExecOutputChunk(List<OutputPiece> pieces, long nextOffset, boolean ended, Integer exitCode,
      boolean timedOut) {
    this(pieces, nextOffset, ended, exitCode, timedOut, false);
  }

  /** The answer of a sandbox that keeps no exec output. */
  public static ExecOutputChunk notKept(long offset) {
    return new ExecOutputChunk(List.of(), offset, false, null, false, true);
  }
}
