package dev.sandboxes.runtime.local;

import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.runtime.PlatformException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The volume file API on one volume's data directory. Sandboxes write into that directory too,
 * so nothing found there is trusted: every path is resolved with symlinks followed
 * ({@link Path#toRealPath}) and refused unless it stays inside the directory. A symlink is
 * followed only to read or list what it points at inside the volume; writes and moves replace
 * or rename the link itself, never its target.
 */
final class VolumeDirectory {
  private static final String WHAT = "volume file request";

  private final String volume;
  private final Path root;

  VolumeDirectory(String volume, Path root) {
    this.volume = volume;
    this.root = root;
  }

  List<FileEntry> list(String path) {
    String normal = VolumePaths.valid("path", path);
    Path target = existing("path", normal);
    try {
      if (!Files.isDirectory(target)) {
        return List.of(entry(normal, target));
      }
      List<FileEntry> entries = new ArrayList<>();
      try (DirectoryStream<Path> children = Files.newDirectoryStream(target)) {
        for (Path child : children) {
          String name = child.getFileName().toString();
          entries.add(entry(normal.equals("/") ? "/" + name : normal + "/" + name, child));
        }
      }
      entries.sort(Comparator.comparing(FileEntry::path));
      return entries;
    } catch (NoSuchFileException e) {
      throw notFound(normal);
    } catch (IOException e) {
      throw failed("list " + normal, e);
    }
  }

  FileChunk read(String path, long offset, int length) {
    String normal = VolumePaths.valid("path", path);
    VolumePaths.validRange(offset, length);
    Path target = existing("path", normal);
    if (Files.isDirectory(target)) {
      throw invalid("path", "names a directory, not a file: " + normal);
    }
    try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ)) {
      long size = channel.size();
      int wanted = (int) Math.max(0, Math.min(length, size - offset));
      ByteBuffer buffer = ByteBuffer.allocate(wanted);
      long position = offset;
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, position);
        if (n < 0) {
          break;
        }
        position += n;
      }
      byte[] data = new byte[buffer.position()];
      buffer.flip().get(data);
      return new FileChunk(normal, offset, data, size);
    } catch (NoSuchFileException e) {
      throw notFound(normal);
    } catch (IOException e) {
      throw failed("read " + normal, e);
    }
  }

  FileEntry write(String path, byte[] data) {
    String normal = VolumePaths.validFile("path", path);
    VolumePaths.validContent(data);
    Path target = inside("path", normal);
    Path parent = createParents("path", target);
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw invalid("path", "names a directory, not a file: " + normal);
    }
    Path temp = parent.resolve("." + target.getFileName() + ".upload-" + UUID.randomUUID());
    try {
      Files.write(temp, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      // rename(2) in one directory: readers see the old file or the new one, never a mix.
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return entry(normal, target);
    } catch (IOException e) {
      throw failed("write " + normal, e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // Only a leftover hidden file; the write's own outcome is what counts.
      }
    }
  }

  void move(String from, String to) {
    String source = VolumePaths.validFile("from", from);
    String destination = VolumePaths.validFile("to", to);
    if ((destination + "/").startsWith(source + "/")) {
      throw invalid("to", "lies inside " + source + ", which cannot be moved into itself");
    }
    Path sourcePath = inside("from", source);
    if (!Files.exists(sourcePath, LinkOption.NOFOLLOW_LINKS)) {
      throw notFound(source);
    }
    Path targetPath = inside("to", destination);
    if (Files.exists(targetPath, LinkOption.NOFOLLOW_LINKS)) {
      throw invalid("to", "already exists: " + destination);
    }
    createParents("to", targetPath);
    try {
      // Without REPLACE_EXISTING the move refuses a target that appeared meanwhile.
      Files.move(sourcePath, targetPath, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      throw invalid("to", "already exists: " + destination);
    } catch (NoSuchFileException e) {
      throw notFound(source);
    } catch (IOException e) {
      throw failed("move " + source + " to " + destination, e);
    }
  }

  /**
   * The host path of {@code normal} with its parent's symlinks resolved, refused unless that
   * parent is inside the volume. The last segment is not followed.
   */
  private Path inside(String field, String normal) {
    Path rootReal = rootReal();
    Path path = rootReal.resolve(normal.substring(1));
    Path ancestor = path.getParent();
    while (ancestor != null && !Files.exists(ancestor, LinkOption.NOFOLLOW_LINKS)) {
      ancestor = ancestor.getParent();
    }
    if (ancestor == null || !contained(rootReal, real(field, normal, ancestor))) {
      throw outside(field, normal);
    }
    Path existingParent = path.getParent();
    if (Files.exists(existingParent)) {
      return real(field, normal, existingParent).resolve(path.getFileName());
    }
    return path;
  }

  /** The existing object at {@code normal} with every symlink followed, inside the volume. */
  private Path existing(String field, String normal) {
    Path rootReal = rootReal();
    Path path = rootReal.resolve(normal.equals("/") ? "" : normal.substring(1));
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw notFound(normal);
    }
    Path real = real(field, normal, path);
    if (!contained(rootReal, real)) {
      throw outside(field, normal);
    }
    return real;
  }

  private Path createParents(String field, Path target) {
    Path parent = target.getParent();
    try {
      Files.createDirectories(parent);
    } catch (FileAlreadyExistsException e) {
      throw invalid(field, "has a parent that is not a directory");
    } catch (IOException e) {
      throw failed("create the directories of " + target.getFileName(), e);
    }
    // Checked again once they exist: a sandbox may have raced a symlink into the path.
    Path real = real(field, "/" + rootReal().relativize(parent), parent);
    if (!contained(rootReal(), real)) {
      throw outside(field, "/" + rootReal().relativize(parent));
    }
    return real;
  }

  private Path rootReal() {
    try {
      return root.toRealPath();
    } catch (NoSuchFileException e) {
      throw new SandboxNotFoundException("volume \"" + volume + "\" does not exist");
    } catch (IOException e) {
      throw failed("open volume", e);
    }
  }

  private Path real(String field, String normal, Path path) {
    try {
      return path.toRealPath();
    } catch (NoSuchFileException e) {
      // A dangling symlink, or a path removed meanwhile.
      throw notFound(normal);
    } catch (IOException e) {
      throw invalid(field, "cannot be resolved: " + e.getMessage());
    }
  }

  private static boolean contained(Path root, Path real) {
    return real.equals(root) || real.startsWith(root);
  }

  private static FileEntry entry(String path, Path file) throws IOException {
    BasicFileAttributes attrs =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    String type = attrs.isSymbolicLink() ? FileEntry.LINK : attrs.isDirectory() ? FileEntry.DIR
        : attrs.isRegularFile() ? FileEntry.FILE : FileEntry.OTHER;
    return new FileEntry(path, type, attrs.isRegularFile() ? attrs.size() : 0,
        attrs.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS));
  }

  private SandboxNotFoundException notFound(String normal) {
    return new SandboxNotFoundException("volume \"" + volume + "\" has no file " + normal);
  }

  private InvalidSpecException outside(String field, String normal) {
    return invalid(field, "leads outside the volume (through a symbolic link): " + normal);
  }

  private static InvalidSpecException invalid(String field, String message) {
    return new InvalidSpecException(WHAT, List.of(new Violation(field, message)));
  }

  private PlatformException failed(String what, IOException e) {
    return PlatformException.unavailable("volume \"" + volume + "\": cannot " + what + ": " + e, e);
  }
}
