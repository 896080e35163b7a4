package dev.sandboxes.model;

/**
 * Bytes read from a file in a volume.
 *
 * @param path absolute path inside the volume
 * @param offset where {@code data} starts in the file
 * @param data at most the requested length, at most {@link VolumePaths#MAX_TRANSFER} bytes
 * @param size the file's size when it was read
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record FileChunk(String path, long offset, byte[] data, long size) {
  /** True when this chunk reaches the end of the file. */
  public boolean eof() {
    return offset + data.length >= size;
  }
}
