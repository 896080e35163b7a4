package dev.sandboxes.runtime.local;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.agent.AgentExit;
import dev.sandboxes.runtime.agent.OutputFrames;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * One exec of a local sandbox, kept by its ID for the sandbox's life, as the in-sandbox agent
 * keeps execs on Kubernetes: its output in a file of {@link OutputFrames} under the sandbox's
 * directory (read by offset while it runs and after), and its result. The same request under the
 * same ID attaches to it; another request under that ID is {@code ExecIdInUse}.
 */
final class LocalExec {
  final String id;
  private final ExecRequest request;
  private final Path file;
  private OutputStream out;
  /** Bytes of whole frames written: readers never read past this. */
  private long committed;
  private boolean ended;
  private final CompletableFuture<ExecResult> result = new CompletableFuture<>();

  LocalExec(String id, ExecRequest request, Path dir) throws IOException {
    this.id = id;
    this.request = request;
    Files.createDirectories(dir);
    this.file = dir.resolve(id);
    this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), OutputFrames.MAX_FRAME + 5);
  }

  /** Whether {@code other} is the request this exec runs (the ID aside): then it may attach. */
  boolean runs(ExecRequest other) {
    return Objects.equals(request.argv(), other.argv()) && Objects.equals(request.env(), other.env())
        && Objects.equals(request.workdir(), other.workdir()) && Objects.equals(request.stdin(), other.stdin())
        && Objects.equals(request.effectiveTimeout(), other.effectiveTimeout());
  }

  /** Keeps a piece of the command's output ({@link OutputFrames#STDOUT} or {@code STDERR}). */
  synchronized void append(byte kind, byte[] bytes, int offset, int length) {
    if (out == null || length == 0) {
      return;
    }
    try {
      committed += OutputFrames.write(out, kind, bytes, offset, length);
    } catch (IOException e) {
      close(); // a full disk: the result still has the capped output
    }
    notifyAll();
  }

  /** The command's stream {@code kind} ({@link OutputFrames#STDOUT} or {@code STDERR}) into this exec's output. */
  OutputStream output(byte kind) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        append(kind, new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        append(kind, bytes, offset, length);
      }
    };
  }

  /** Records how the command ended; readers then see the exit after its last output. */
  void end(ExecResult ended) {
    synchronized (this) {
      if (out != null) {
        try {
          committed += OutputFrames.writeExit(out, new AgentExit(ended.exitCode(), ended.timedOut(), false, null));
        } catch (IOException e) {
          // readers still learn the end below
        }
      }
      close();
      this.ended = true;
      notifyAll();
    }
    result.complete(ended);
  }

  /** Records that the command could not be run or waited for: callers attached to it get the failure. */
  void fail(RuntimeException e) {
    synchronized (this) {
      close();
      ended = true;
      notifyAll();
    }
    result.completeExceptionally(e);
  }

  private void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // what was flushed stays readable
      }
      out = null;
    }
  }

  /** The exec's result, waiting for the command to end. */
  ExecResult await() throws InterruptedException {
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("exec " + id + " failed", e.getCause());
    }
  }

  /**
   * The output from {@code offset} ({@link ExecOutputRequest#END}: the current end): what is
   * there, or what comes within {@code wait}, at most about {@code maxBytes}.
   */
  ExecOutputChunk read(long offset, Duration wait, int maxBytes) throws InterruptedException {
    long from;
    long upTo;
    synchronized (this) {
      from = offset == ExecOutputRequest.END ? committed : offset;
      if (from > committed) {
        throw new PlatformException(SandboxErrors.RUNTIME_REJECTED, false, "offset " + offset
            + " is outside exec " + id + "'s output (0.." + committed + ")", null);
      }
      long start = from;
      awaitOutput(this, wait, () -> committed > start, () -> ended || committed - start >= maxBytes);
      // at least one whole frame; a frame cut off at the end is read next time
      upTo = Math.min(committed, from + Math.max(maxBytes, OutputFrames.MAX_FRAME + 5));
    }
    byte[] bytes = new byte[(int) (upTo - from)];
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      in.seek(from);
      in.readFully(bytes);
      return OutputFrames.chunk(bytes, bytes.length, from);
    } catch (IOException e) {
      throw PlatformException.unavailable("cannot read the output of exec " + id, e);
    }
  }

  /**
   * Waits on {@code monitor} (held by the caller, notified by the writer) up to {@code wait} until
   * output {@code arrived} or the output is {@code complete}; once some arrived, up to
   * {@link OutputFrames#READ_LINGER} more for the rest of its burst, unless it completes first.
   */
  static void awaitOutput(Object monitor, Duration wait, BooleanSupplier arrived, BooleanSupplier complete)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!arrived.getAsBoolean() && !complete.getAsBoolean() && System.nanoTime() < deadline) {
      waitUntil(monitor, deadline);
    }
    if (arrived.getAsBoolean()) {
      long linger = System.nanoTime() + OutputFrames.READ_LINGER.toNanos();
      while (!complete.getAsBoolean() && System.nanoTime() < linger) {
        waitUntil(monitor, linger);
      }
    }
  }

  private static void waitUntil(Object monitor, long deadline) throws InterruptedException {
    long nanos = deadline - System.nanoTime();
    if (nanos > 0) {
      monitor.wait(Math.max(1, nanos / 1_000_000));
    }
  }
}
