package dev.sandboxes.model;

import java.util.List;

/**
 * What listing a path in a volume found: the directory's entries sorted by path, or the one
 * entry when the path is a file.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record FileListing(String path, List<FileEntry> entries) {
  /** Copies {@code entries}; {@code null} for none. */
  public FileListing {
    entries = entries == null ? List.of() : List.copyOf(entries);
  }
}
