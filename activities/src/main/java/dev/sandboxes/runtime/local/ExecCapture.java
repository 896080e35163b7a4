package dev.sandboxes.runtime.local;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.runtime.BoundedCapture;
import dev.sandboxes.runtime.agent.OutputFrames;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one started exec process to its end: feeds its stdin, keeps at most the cap of each
 * output stream, and kills its tree when the request's timeout runs out or the caller is
 * interrupted.
 */
final class ExecCapture {
  /** Named after the runtime: these warnings are about the runtime as a whole. */
  private static final Logger log = LoggerFactory.getLogger(LocalRuntime.class);

  private final HostProcesses processes;
  private final int capBytes;

  ExecCapture(HostProcesses processes, int capBytes) {
    this.processes = processes;
    this.capBytes = capBytes;
  }

  /**
   * The result of {@code process}, started at {@code begin} for {@code valid}; its whole output
   * goes to {@code kept} as it is read.
   *
   * @throws InterruptedException after the process tree was killed
   */
  ExecResult collect(Process process, ExecRequest valid, Instant begin, LocalExec kept)
      throws InterruptedException {
    BoundedCapture stdout = new BoundedCapture(capBytes);
    BoundedCapture stderr = new BoundedCapture(capBytes);
    Future<?> outDrain = processes.background().submit(
        () -> stdout.drain(process.getInputStream(), kept.output(OutputFrames.STDOUT)));
    Future<?> errDrain = processes.background().submit(
        () -> stderr.drain(process.getErrorStream(), kept.output(OutputFrames.STDERR)));
    processes.background().submit(() -> feed(process.getOutputStream(), valid.stdin()));

    boolean finished;
    try {
      finished = process.waitFor(valid.effectiveTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      processes.terminate(process.toHandle());
      throw e;
    }
    if (!finished) {
      processes.terminate(process.toHandle());
    }
    awaitQuietly(outDrain, HostProcesses.DRAIN_AFTER_EXIT);
    awaitQuietly(errDrain, HostProcesses.DRAIN_AFTER_EXIT);
    Duration took = Duration.between(begin, Instant.now());
    int exitCode = finished ? process.exitValue() : ExecResult.TIMED_OUT_EXIT_CODE;
    return BoundedCapture.result(exitCode, stdout, stderr, !finished, took);
  }

  private static void feed(OutputStream stdin, String text) {
    try (stdin) {
      if (text != null) {
        stdin.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The command exited or closed its stdin without reading everything: not an error.
    }
  }

  private static void awaitQuietly(Future<?> future, Duration limit) {
    try {
      future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // A background process still holds the pipe open; return what was read so far.
      future.cancel(true);
    } catch (ExecutionException e) {
      log.warn("exec output reader failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
