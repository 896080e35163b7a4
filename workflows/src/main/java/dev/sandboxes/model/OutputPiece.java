package dev.sandboxes.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A piece of a command's output, as the command wrote it: which stream, and the bytes (base64
 * in JSON). A piece may end inside a multi-byte character; join pieces of one stream before
 * decoding.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record OutputPiece(Stream stream, byte[] data) {
  /** The stream a piece came from. */
  public enum Stream {
    STDOUT,
    STDERR
  }

  /**
   * Requires a stream ({@link NullPointerException} otherwise); {@code null} data becomes empty.
   * The array is kept as given, not copied.
   */
  public OutputPiece {
    Objects.requireNonNull(stream, "stream");
    data = data == null ? new byte[0] : data;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutputPiece p && p.stream == stream && Arrays.equals(p.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * stream.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "OutputPiece[" + stream + ", " + data.length + " bytes]";
  }
}
