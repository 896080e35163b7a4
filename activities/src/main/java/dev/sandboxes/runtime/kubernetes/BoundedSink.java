package dev.sandboxes.runtime.kubernetes;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An output stream that accepts everything and keeps at most {@code cap} bytes. It never
 * blocks or fails, so the exec websocket is always drained to the end (an unread stream stalls
 * the exit status: fabric8 issues 5022 and 5159), while memory stays bounded.
 */
final class BoundedSink extends OutputStream {
  private final int cap;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private boolean truncated;

  BoundedSink(int cap) {
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

  /** What was kept, decoded as UTF-8 (a character cut at the cap decodes as U+FFFD). */
  synchronized String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }

  synchronized boolean truncated() {
    return truncated;
  }
}
