package dev.sandboxes.model;

import java.time.Instant;

/**
 * One entry of a volume's file tree, as the volume file API lists it.
 *
 * @param path absolute path inside the volume, such as {@code /results/out.csv}
 * @param type {@code file}, {@code dir}, {@code link} or {@code other}
 * @param size bytes for a file; 0 otherwise
 * @param modifiedAt last modification, to the second
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record FileEntry(String path, String type, long size, Instant modifiedAt) {
  public static final String FILE = "file";
  public static final String DIR = "dir";
  public static final String LINK = "link";
  public static final String OTHER = "other";
}
