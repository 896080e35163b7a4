package dev.sandboxes.runtime;

import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import java.util.List;

/**
 * The volume file API: the files of a volume without a sandbox. Paths are absolute inside the
 * volume and already checked by {@code VolumePaths}; runtimes check them again and never leave
 * the volume. Part of {@link SandboxRuntime}; errors as described there.
 */
public interface VolumeFilePlatform {
  /**
   * The entries of the directory {@code path}, sorted by path, or the single entry when
   * {@code path} is a file. {@link dev.sandboxes.model.SandboxNotFoundException} when the volume
   * or the path does not exist.
   */
  List<FileEntry> listFiles(String volume, String path);

  /**
   * At most {@code length} bytes of the file {@code path} from {@code offset} (fewer at its end;
   * none past it). {@link dev.sandboxes.model.InvalidSpecException} when {@code path} is a directory.
   */
  FileChunk readFile(String volume, String path, long offset, int length);

  /**
   * Writes {@code data} as the whole content of the file {@code path}, atomically (readers see the
   * old content or the new, never a mix), creating missing parent directories.
   */
  FileEntry writeFile(String volume, String path, byte[] data);

  /**
   * Renames {@code from} to {@code to} (a file or a directory), creating missing parent directories
   * of {@code to}. {@link dev.sandboxes.model.InvalidSpecException} when {@code to} exists.
   */
  void moveFile(String volume, String from, String to);
}
