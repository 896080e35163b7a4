package dev.sandboxes.runtime;

import dev.sandboxes.model.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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

  /**
   * What both streams of one result may take as JSON together: Temporal refuses a payload over
   * 2 MiB (the result would be lost, and its activity retried in vain), and the result's other
   * fields need a little room.
   */
  public static final int RESULT_JSON_BUDGET = 2 * 1024 * 1024 - 4 * 1024;

  /**
   * The result of an exec whose streams went to {@code out} and {@code err}: each stream's text
   * within its cap, both within {@link #RESULT_JSON_BUDGET} as JSON (stdout first), each flagged
   * truncated when it holds less than came.
   */
  public static ExecResult result(int exitCode, BoundedCapture out, BoundedCapture err, boolean timedOut,
      Duration took) {
    String stdout = out.decoded();
    int stdoutLength = fittingJson(stdout, Math.min(out.cap, RESULT_JSON_BUDGET));
    String stderr = err.decoded();
    long left = RESULT_JSON_BUDGET - jsonBytes(stdout, stdoutLength);
    int stderrLength = fittingJson(stderr, Math.min(err.cap, left));
    return new ExecResult(exitCode, stdout.substring(0, stdoutLength), stderr.substring(0, stderrLength),
        out.cutOff() || stdoutLength < stdout.length(), err.cutOff() || stderrLength < stderr.length(),
        timedOut, took);
  }

  /**
   * What was kept, decoded as UTF-8, and cut where needed so that it takes at most {@code cap}
   * bytes as JSON (where a control character takes six, {@code \u0000}): results travel as JSON.
   * A character cut at the cap decodes as U+FFFD, which is kept when it fits.
   */
  public synchronized String text() {
    String all = decoded();
    return all.substring(0, fittingJson(all, cap));
  }

  /** Whether more came than {@link #text} holds. */
  public synchronized boolean truncated() {
    String all = decoded();
    return truncated || fittingJson(all, cap) < all.length();
  }

  private synchronized String decoded() {
    return kept.toString(StandardCharsets.UTF_8);
  }

  private synchronized boolean cutOff() {
    return truncated;
  }

  private static long jsonBytes(String text, int length) {
    long size = 0;
    for (int i = 0; i < length; ) {
      int codePoint = text.codePointAt(i);
      size += jsonBytes(codePoint);
      i += Character.charCount(codePoint);
    }
    return size;
  }

  /** The length of the longest prefix of {@code text} that takes at most {@code budget} bytes in a JSON string. */
  static int fittingJson(String text, long budget) {
    long size = 0;
    int i = 0;
    while (i < text.length()) {
      int codePoint = text.codePointAt(i);
      size += jsonBytes(codePoint);
      if (size > budget) {
        return i;
      }
      i += Character.charCount(codePoint);
    }
    return i;
  }

  /** Bytes of one character in a JSON string as Jackson writes it (UTF-8, control characters escaped). */
  static int jsonBytes(int codePoint) {
    if (codePoint == '"' || codePoint == '\\') {
      return 2;
    }
    if (codePoint < 0x20) {
      return codePoint == '\n' || codePoint == '\r' || codePoint == '\t' || codePoint == '\b'
          || codePoint == '\f' ? 2 : 6;
    }
    return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
}
