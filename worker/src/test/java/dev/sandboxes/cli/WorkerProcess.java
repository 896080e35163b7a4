package dev.sandboxes.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The production worker ({@code java -jar sandbox-worker.jar worker}, Kubernetes runtime) in a JVM of
 * its own, which a test can kill with SIGKILL: no shutdown hook, no graceful stop, exactly what
 * an OOM kill or a lost node does. Its output goes to a log file.
 */
final class WorkerProcess implements AutoCloseable {
  /** The line {@code WorkerLifecycle} logs once the worker polls its task queue. */
  static final String POLLING = "Sandbox worker polling";
  /** The line {@code WorkerLifecycle} logs when SIGTERM starts its graceful stop. */
  static final String STOPPING = "Sandbox worker stopping";

  private final Process process;
  private final List<String> command;
  private final Path kubeconfig;
  private final Path log;
  private final CompletableFuture<Void> polling = new CompletableFuture<>();
  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;

  private WorkerProcess(Process process, List<String> command, Path kubeconfig, Path log) {
    this.process = process;
    this.command = command;
    this.kubeconfig = kubeconfig;
    this.log = log;
    reader = new Thread(this::copyOutput, "worker-" + process.pid() + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a worker on {@code taskQueue} of the server at {@code address}; output appended to {@code log}. */
  static WorkerProcess start(String address, String taskQueue, Path kubeconfig, Path log) {
    return start(Rig.workerJar(), address, taskQueue, kubeconfig, log, List.of());
  }

  /** Starts the worker of {@code jar} (another build's, for an upgrade) with more properties. */
  static WorkerProcess start(Path jar, String address, String taskQueue, Path kubeconfig, Path log,
      List<String> properties) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1",
        "-jar", jar.toString(), "worker",
        "--sandboxes.temporal.target=" + address,
        "--sandboxes.task-queue=" + taskQueue,
        "--sandboxes.runtime=kubernetes",
        "--sandboxes.kubernetes.namespace=" + Rig.NAMESPACE,
        // a schedule per test queue would outlive the test and start reaper runs no worker serves
        "--sandboxes.reaper.enabled=false",
        // several workers on one machine: no fixed port for health and metrics
        "--server.port=0",
        "--logging.level.dev.sandboxes.worker=INFO"));
    command.addAll(properties);
    return launch(command, kubeconfig, log);
  }

  static WorkerProcess launch(List<String> command, Path kubeconfig, Path log) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().remove("SANDBOX_DEBUG");
    try {
      Files.createDirectories(log.getParent());
      return new WorkerProcess(builder.start(), command, kubeconfig, log);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the worker: " + command, e);
    }
  }

  /** Kills this worker with SIGKILL, starts another just like it and returns that one once it polls. */
  WorkerProcess killAndRestart() {
    kill();
    WorkerProcess next = launch(command, kubeconfig, log);
    next.awaitPolling(Duration.ofMinutes(2));
    return next;
  }

  long pid() {
    return process.pid();
  }

  /** The exit code of a worker that has exited. */
  int exitValue() {
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until the worker polls; fails when it exits first or takes longer than {@code limit}. */
  void awaitPolling(Duration limit) {
    try {
      polling.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("worker " + pid() + " not polling after " + limit.toSeconds() + " s; see " + log);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause().getMessage() + "; see " + log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Whether the worker printed a line containing {@code text} (complete once it has exited). */
  boolean printed(String text) {
    synchronized (output) {
      return output.stream().anyMatch(line -> line.contains(text));
    }
  }

  /** SIGKILL to the worker's JVM (and anything it started); returns once it is dead. */
  void kill() {
    process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    // Process.destroyForcibly() would also close our end of its output: see stop()
    process.toHandle().destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /**
   * SIGTERM: the worker stops polling, lets running tasks finish and exits; returns once it has
   * exited and all it printed is in the log. The signal goes through the process handle:
   * {@link Process#destroy()} also closes our end of the worker's output pipe, so everything it
   * printed while shutting down, its "stopping" line first, would be lost.
   */
  void stop() {
    process.toHandle().destroy();
    awaitExit(Duration.ofSeconds(60));
  }

  private void awaitExit(Duration limit) {
    try {
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("worker " + pid() + " still alive " + limit.toSeconds() + " s after it was stopped");
      }
      // its output up to the end of the pipe, which closes when the worker (and what it started) exited
      reader.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  private void copyOutput() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND)) {
      out.write("--- worker pid " + process.pid() + "\n");
      for (String line; (line = in.readLine()) != null; ) {
        out.write(line);
        out.write('\n');
        out.flush();
        output.add(line);
        if (line.contains(POLLING)) {
          polling.complete(null);
        }
      }
    } catch (IOException e) {
      // the process died: its output ends here
    }
    polling.completeExceptionally(new IllegalStateException("worker " + process.pid() + " exited before it polled"));
  }
}
