package dev.sandboxes.samples;

import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.local.LocalRuntime;
import dev.sandboxes.runtime.local.LocalRuntimeOptions;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * What every sample runs on: Temporal's in-process server (real time, no skipping: sandboxes are
 * real processes) and one worker with the sandbox plugin over the local runtime, whose root is a
 * fresh directory removed again on {@link #close()}. The samples' own workflow types and
 * activities go on the same worker, so the author API's child sandboxes share its task queue.
 */
public final class EmbeddedStack implements AutoCloseable {
  private final Path root;
  private final LocalRuntime runtime;
  private final TestWorkflowEnvironment env;
  private final Worker worker;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Ctrl-C skips try-with-resources: stop the sandboxes and remove the directory anyway. */
  private final Thread onExit = new Thread(this::stop, "sample-stack-cleanup");

  private EmbeddedStack(Path root) {
    this.root = root;
    this.runtime = new LocalRuntime(LocalRuntimeOptions.newBuilder().root(root).build());
    this.env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setUseTimeskipping(false)
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
            .setPlugins(SandboxPlugin.forRuntime(runtime)).build())
        .build());
    SearchAttributeKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
    this.worker = env.newWorker(TaskQueues.DEFAULT);
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /** A stack that is not started yet: register the sample's types on {@link #worker()}, then {@link #start()}. */
  public static EmbeddedStack create() {
    try {
      return new EmbeddedStack(Files.createTempDirectory("sandbox-samples-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the local runtime's directory", e);
    }
  }

  public Worker worker() {
    return worker;
  }

  public EmbeddedStack start() {
    env.start();
    return this;
  }

  public WorkflowClient client() {
    return env.getWorkflowClient();
  }

  public LocalRuntime runtime() {
    return runtime;
  }

  /** Where the local runtime keeps sandboxes and volumes: {@code sandboxes/<name>}, {@code volumes/<name>}. */
  public Path root() {
    return root;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs (or ran) stop() itself
    }
    stop();
  }

  private void stop() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    env.close();
    runtime.close();
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is not worth failing a sample for
    }
  }
}
