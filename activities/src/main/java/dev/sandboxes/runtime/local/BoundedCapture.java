package dev.sandboxes.runtime.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * One exec output stream read to its end, keeping the first {@code cap} bytes. Reading on past
 * the cap matters: a command blocked on a full pipe would never exit.
 */
final class BoundedCapture {
  private final int cap;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private boolean truncated;

  BoundedCapture(int cap) {
    this.cap = cap;
  }

  /** Reads {@code in} until end of stream (or until it is closed under us). */
  void drain(InputStream in) {
    byte[] buffer = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        keep(buffer, n);
      }
    } catch (IOException e) {
      // Closed because the command was abandoned; what was read so far is the result.
    }
  }

  private synchronized void keep(byte[] buffer, int n) {
    int room = cap - kept.size();
    if (n > room) {
      truncated = true;
    }
    kept.write(buffer, 0, Math.min(n, Math.max(room, 0)));
  }

  synchronized String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }

  synchronized boolean truncated() {
    return truncated;
  }
}
