package dev.sandboxes.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One output stream of an exec, taken to its end while keeping only the first {@code cap} bytes
 * and flagging that more came. Both runtimes capture exec output with it: Kubernetes has the exec
 * websocket write into it (it is an {@link OutputStream}), the local runtime {@link #drain}s the
 * process's pipe into it.
 *
 * <p>Taking the stream to its end past the cap is the point: an exec websocket not read to the
 * end stalls its exit status (fabric8 issues 5022 and 5159), and a local command blocked on a full
 * pipe never exits. So writes never block or fail, and memory stays bounded. Public only because
 * the two runtimes live in packages of their own; it is not part of the runtime contract.
 */
public final class BoundedCapture extends OutputStream {
  private final int cap;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private boolean truncated;

  /** A capture that keeps at most {@code cap} bytes. */
  public BoundedCapture(int cap) {
    this.cap = cap;
  }

  @Override
  public synchronized void write(int b) {
    if (kept.size() < cap) {
      kept.write(b);
    } else {
      truncated = true;
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    int room = Math.max(0, cap - kept.size());
    kept.write(b, off, Math.min(room, len));
    if (len > room) {
      truncated = true;
    }
  }

  /**
   * Reads {@code in} until end of stream (or until it is closed under us, when the command was
   * abandoned: what was read so far is the result), then closes it.
   */
  public void drain(InputStream in) {
    drain(in, OutputStream.nullOutputStream());
  }

  /** {@link #drain(InputStream)}, handing every byte read to {@code tee} too (uncapped). */
  public void drain(InputStream in, OutputStream tee) {
    byte[] buffer = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        write(buffer, 0, n);
        tee.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // Closed because the command was abandoned; what was read so far is the result.
    }
  }

  /** What was kept, decoded as UTF-8 (a character cut at the cap decodes as U+FFFD). */
  public synchronized String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }

  /** Whether more than {@code cap} bytes came, so that {@link #text} is only their beginning. */
  public synchronized boolean truncated() {
    return truncated;
  }
}
