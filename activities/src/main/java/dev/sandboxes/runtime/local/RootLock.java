package dev.sandboxes.runtime.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One local runtime per root: an exclusive lock on {@code <root>/.lock}, held until
 * {@link #close()} or the process's end (the operating system releases it on any exit, SIGKILL
 * included). A second runtime on the same root, in this process or another, would report the
 * first one's sandboxes as lost ({@code WorkerRestarted}) and a name the first one used as
 * taken by someone else ({@code SandboxNameConflict}).
 *
 * <p>The in-JVM check is per class loader: the activities loaded twice in one JVM would each
 * see only their own roots (the file lock still refuses the second, but closing its channel
 * drops the first one's lock on Linux).
 */
final class RootLock implements AutoCloseable {
  /**
   * The roots this JVM holds, checked before the file is opened: on Linux, closing any channel
   * of a file drops every lock the process holds on it, so a refused second runtime must not
   * open and close the lock file of the first.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RootLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code root} (which must exist) and writes this process's pid into it.
   * Throws {@link IllegalStateException} naming the holder's pid when another runtime holds it.
   */
  static RootLock acquire(Path root) {
    Path key;
    try {
      key = root.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the local runtime's directory " + root, e);
    }
    if (!HELD.add(key)) {
      throw inUse(root, String.valueOf(ProcessHandle.current().pid()));
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(key.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // cannot happen while HELD guards this JVM's roots; refused all the same
      }
      if (lock == null) {
        String holder = holder(channel);
        closeQuietly(channel);
        HELD.remove(key);
        throw inUse(root, holder);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      return new RootLock(key, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      HELD.remove(key);
      throw new UncheckedIOException("cannot lock the local runtime's directory " + root, e);
    }
  }

  private static IllegalStateException inUse(Path root, String holder) {
    return new IllegalStateException("the local runtime's directory " + root + " is in use by another "
        + "local runtime on this host" + (holder.isEmpty() ? "" : " (process " + holder + ")")
        + "; give each worker or `sandbox dev` its own directory (sandboxes.local.root)");
  }

  /** What the holder wrote into the lock file: its pid, or empty. */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      channel.read(buffer, 0);
      return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing more to release
      }
    }
  }

  /** Releases the lock; the file stays (removing it would race with the next runtime taking it). */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException ignored) {
      // the channel's close below releases it too
    }
    closeQuietly(channel);
    HELD.remove(key);
  }
}
