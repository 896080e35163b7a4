package dev.sandboxes.runtime.local;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.OutputPiece;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.runtime.PlatformException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main process's output as lines of {@code <instant> <text>}, stdout and stderr interleaved
 * in the order they were read, each stamped when it was read.
 *
 * <p>Bounded: the log is two files of at most half the cap each. When the current one is full
 * it replaces the previous one, so the newest output is always kept (the end of a failing run
 * is what people read) and a marker file records that older lines were dropped. Lines longer
 * than {@link #MAX_LINE_BYTES} are split.
 */
final class TimestampedLog implements AutoCloseable {
  static final String FILE = "output.log";
  static final int MAX_LINE_BYTES = 16 * 1024;
  private static final Logger log = LoggerFactory.getLogger(TimestampedLog.class);

  private final Path current;
  private final Path previous;
  private final Path droppedMarker;
  private final long halfCap;
  private OutputStream out;
  private long written;
  /** Where the current file starts in the log's whole output (what rotated out came before). */
  private long base;
  /** Where the previous file starts, or -1 when nothing rotated out yet. */
  private long previousBase = -1;

  TimestampedLog(Path dir, long capBytes) throws IOException {
    this.current = dir.resolve(FILE);
    this.previous = dir.resolve(FILE + ".1");
    this.droppedMarker = dir.resolve(FILE + ".dropped");
    this.halfCap = capBytes / 2;
    this.out = Files.newOutputStream(current, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    this.written = Files.size(current);
  }

  /**
   * Starts a thread that reads {@code in} to its end, appending each line. It never stops
   * reading early: an unread pipe would block the process once its buffer fills.
   */
  Thread drainInBackground(InputStream in, String threadName) {
    Thread thread = new Thread(() -> drain(in), threadName);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private void drain(InputStream in) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          if (b == '\n') {
            append(line);
          } else {
            line.write(b);
            if (line.size() >= MAX_LINE_BYTES) {
              append(line);
            }
          }
        }
      }
    } catch (IOException e) {
      // The stream closes under us when the sandbox is deleted; nothing more to record.
    }
    if (line.size() > 0) {
      append(line);
    }
  }

  private void append(ByteArrayOutputStream line) {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    append(text);
  }

  /** Appends one line stamped now; the stamp is taken under the lock so stamps never go back. */
  synchronized void append(String text) {
    if (out == null) {
      return;
    }
    byte[] bytes = (Instant.now() + " " + text + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (written + bytes.length > halfCap && written > 0) {
        rotate();
      }
      out.write(bytes);
      out.flush();
      written += bytes.length;
      notifyAll();
    } catch (IOException e) {
      log.warn("cannot write sandbox log {}: {}; further output is dropped", current, e.toString());
      closeQuietly();
    }
  }

  private void rotate() throws IOException {
    out.close();
    if (Files.exists(previous)) {
      Files.writeString(droppedMarker, "older lines were dropped to keep the log within its cap\n");
    }
    Files.move(current, previous, StandardCopyOption.REPLACE_EXISTING);
    previousBase = base;
    base += written;
    out = Files.newOutputStream(current, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    written = 0;
  }

  /** Reads the log while it may still be written; consistent with respect to rotation. */
  synchronized LogChunk readLive() {
    return read(current.getParent());
  }

  /** Every complete line in {@code dir}'s log, oldest first; truncated when lines were dropped. */
  static LogChunk read(Path dir) {
    List<LogLine> lines = new ArrayList<>();
    readInto(dir.resolve(FILE + ".1"), lines);
    readInto(dir.resolve(FILE), lines);
    return new LogChunk(lines, Files.exists(dir.resolve(FILE + ".dropped")));
  }

  private static void readInto(Path file, List<LogLine> lines) {
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    int start = 0;
    int end;
    // A last line without its newline is still being written: leave it for the next read.
    while ((end = content.indexOf('\n', start)) >= 0) {
      lines.add(LogLine.parse(content.substring(start, end)));
      start = end + 1;
    }
  }


  /**
   * The lines written from {@code offset} (an offset in the log's whole output; {@link
   * ExecOutputRequest#END} for its current end) as pieces of text, waiting up to {@code wait} for
   * one when there is none yet; lines that rotated out are skipped. The chunk has ended once the
   * log is closed (the command ended) and everything was read; its exit code is not known here.
   */
  synchronized ExecOutputChunk follow(long offset, Duration wait, int maxBytes) throws InterruptedException {
    long from = offset == ExecOutputRequest.END ? base + written : offset;
    if (from < 0 || from > base + written) {
      throw new PlatformException(SandboxErrors.RUNTIME_REJECTED, false, "offset " + offset
          + " is outside the sandbox's output (0.." + (base + written) + ")", null);
    }
    long asked = from;
    LocalExec.awaitOutput(this, wait, () -> asked < base + written, () -> out == null);
    from = Math.max(from, previousBase >= 0 ? previousBase : base);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try {
      if (from < base) {
        bytes.write(readRange(previous, from - previousBase, (int) Math.min(maxBytes, base - from)));
      }
      long inCurrent = Math.max(0, from - base);
      bytes.write(readRange(current, inCurrent, (int) Math.min(maxBytes - bytes.size(), written - inCurrent)));
    } catch (IOException e) {
      throw PlatformException.unavailable("cannot read the log " + current, e);
    }
    byte[] text = bytes.toByteArray();
    List<OutputPiece> pieces = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length; i++) {
      if (text[i] == '\n') {
        int space = start;
        while (space < i && text[space] != ' ') {
          space++;
        }
        pieces.add(new OutputPiece(OutputPiece.Stream.STDOUT,
            java.util.Arrays.copyOfRange(text, Math.min(space + 1, i), i + 1)));
        start = i + 1;
      }
    }
    long next = from + start;
    return new ExecOutputChunk(pieces, next, out == null && next == base + written, null, false);
  }

  private static byte[] readRange(Path file, long position, int length) throws IOException {
    if (length <= 0) {
      return new byte[0];
    }
    try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(file.toFile(), "r")) {
      in.seek(position);
      byte[] bytes = new byte[(int) Math.min(length, Math.max(0, in.length() - position))];
      in.readFully(bytes);
      return bytes;
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }

  private synchronized void closeQuietly() {
    notifyAll();
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        // Already reported or irrelevant: the log is done either way.
      }
      out = null;
    }
  }
}
