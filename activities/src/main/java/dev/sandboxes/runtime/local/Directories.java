package dev.sandboxes.runtime.local;

import dev.sandboxes.runtime.PlatformException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The directory operations the local runtime's stores share: listing the sandbox and volume
 * directories under the root, and removing a tree that a sandbox may have made hard to remove.
 */
final class Directories {
  private Directories() {}

  /** The subdirectories of {@code dir}, sorted. */
  static List<Path> children(Path dir) {
    try (var entries = Files.list(dir)) {
      return entries.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw PlatformException.unavailable("cannot list " + dir, e);
    }
  }

  /** Deletes a directory tree without following symlinks, even where a sandbox removed permissions. */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
          Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          if (e != null) {
            throw e;
          }
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      // Removed concurrently: the goal is reached.
    } catch (IOException e) {
      throw PlatformException.unavailable("cannot remove " + dir, e);
    }
  }
}
