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
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ExecOutputChunk(List<OutputPiece> pieces, long nextOffset, boolean ended,
    Integer exitCode, boolean timedOut) {
  public ExecOutputChunk {
    pieces = pieces == null ? List.of() : List.copyOf(pieces);
  }
}
