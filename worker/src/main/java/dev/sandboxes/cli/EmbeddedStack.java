package dev.sandboxes.cli;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.SandboxFilter;
import dev.sandboxes.client.SandboxSummary;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntime;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions;
import dev.sandboxes.runtime.local.LocalRuntime;
import dev.sandboxes.runtime.local.LocalRuntimeOptions;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The development stack in one process: a Temporal server on 127.0.0.1 (the {@code temporal}
 * CLI's dev server with its Web UI when that CLI is on PATH, otherwise Temporal's in-process
 * Java server, which has no UI and no list queries), the sandbox search attributes, a worker
 * with the sandbox plugin over the chosen runtime, and the orphan reaper's schedule where the
 * server has schedules. {@link #close()} terminates every sandbox
 * still running, then stops the worker, the runtime and the server.
 *
 * <p>The stack's worker is unversioned: there is nothing to roll out inside one process.
 * Versioned workers ({@code sandbox worker --sandboxes.versioning.enabled=true}) can use the
 * temporal CLI's server, on a task queue of their own.
 */
final class EmbeddedStack implements AutoCloseable {
  private final int port;
  private final Process temporalCli;
  private final DevServerStore store;
  private final InProcessTemporal javaServer;
  private final SandboxRuntime runtime;
  private final WorkflowServiceStubs stubs;
  private final WorkerFactory factory;
  private final SandboxClient client;
  private final String uiUrl;

  private EmbeddedStack(int port, Process temporalCli, DevServerStore store, InProcessTemporal javaServer,
      SandboxRuntime runtime, WorkflowServiceStubs stubs, WorkerFactory factory,
      SandboxClient client, String uiUrl) {
    this.port = port;
    this.temporalCli = temporalCli;
    this.store = store;
    this.javaServer = javaServer;
    this.runtime = runtime;
    this.stubs = stubs;
    this.factory = factory;
    this.client = client;
    this.uiUrl = uiUrl;
  }

  /**
   * Starts the stack. {@code runtimeKind} is {@code local}, {@code kubernetes} or {@code null}
   * for kubernetes when a kubeconfig is found and local otherwise. {@code extraWorkflows} are
   * registered on the worker too (the demo's).
   */
  static EmbeddedStack start(int port, String runtimeKind, Class<?>... extraWorkflows) {
    return start(port, runtimeKind, java.util.function.UnaryOperator.identity(), extraWorkflows);
  }

  /** As {@link #start(int, String, Class[])}, the Kubernetes runtime's options changed by {@code kubernetes}. */
  static EmbeddedStack start(int port, String runtimeKind,
      java.util.function.UnaryOperator<KubernetesRuntimeOptions.Builder> kubernetes, Class<?>... extraWorkflows) {
    String kind = runtimeKind != null ? runtimeKind : (kubeconfigFound() ? "kubernetes" : "local");
    if (!kind.equals("local") && !kind.equals("kubernetes")) {
      throw new IllegalArgumentException("--runtime must be local or kubernetes, got \"" + kind + "\"");
    }
    Process cli = null;
    DevServerStore store = null;
    InProcessTemporal java = null;
    String ui = null;
    SandboxRuntime runtime = null;
    WorkflowServiceStubs stubs = null;
    try {
      Path temporal = onPath("temporal");
      if (temporal != null) {
        requirePortsFreeOrFail(port, port + 1000, port + 2000);
        store = DevServerStore.in(directory(port).resolve("temporal"));
        cli = startTemporalCli(temporal, port, store);
        ui = "http://127.0.0.1:" + (port + 1000);
      } else {
        requirePortsFreeOrFail(port);
        java = InProcessTemporal.start(port);
      }
      stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
          .setTarget("127.0.0.1:" + port).build());
      awaitServer(stubs, cli, Duration.ofSeconds(60));
      if (java != null) {
        SetupCommand.register("127.0.0.1:" + port, "default");
      }
      runtime = kind.equals("kubernetes")
          ? KubernetesRuntime.connect(kubernetes.apply(KubernetesRuntimeOptions.newBuilder()
              // Development clusters are small: modest defaults let many sandboxes fit.
              .defaultCpu("100m").defaultMemory("128Mi")).build())
          : new LocalRuntime(LocalRuntimeOptions.newBuilder().root(directory(port).resolve("local")).build());
      // the plugin on the client (Temporal's convention): its workers get it, and its data
      // converter gives update validators' rejections their documented types
      WorkflowClient workflowClient = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
          .setNamespace("default").setPlugins(SandboxPlugin.forRuntime(runtime)).build());
      WorkerFactory factory = WorkerFactory.newInstance(workflowClient);
      var worker = factory.newWorker(TaskQueues.DEFAULT);
      if (extraWorkflows.length > 0) {
        worker.registerWorkflowImplementationTypes(extraWorkflows);
      }
      factory.start();
      try {
        // The temporal CLI's server runs the orphan reaper every 30 s; the Java test server
        // has no schedules, so there only `sandbox reap` reaps.
        new dev.sandboxes.client.ReaperClient(workflowClient).ensureSchedule(TaskQueues.DEFAULT,
            dev.sandboxes.client.ReaperClient.DEFAULT_INTERVAL, dev.sandboxes.reaper.ReapRequest.DEFAULT_GRACE);
      } catch (RuntimeException e) {
        System.err.println("warning: the orphan reaper's schedule could not be created: "
            + GlobalOptions.rootMessage(e));
      }
      return new EmbeddedStack(port, cli, store, java, runtime, stubs, factory,
          new SandboxClient(workflowClient), ui);
    } catch (RuntimeException e) {
      if (runtime != null) {
        closeRuntime(runtime);
      }
      if (stubs != null) {
        stubs.shutdownNow();
      }
      if (java != null) {
        java.close();
      }
      if (cli != null) {
        cli.destroyForcibly();
      }
      if (store != null) {
        store.close();
      }
      removeIfEmpty(directory(port));
      throw e;
    }
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  String runtimeKind() {
    return runtime.kind();
  }

  /** The Temporal Web UI, or {@code null} with the in-process server (which has none). */
  String uiUrl() {
    return uiUrl;
  }

  /** The temporal CLI dev server's Prometheus endpoint (its {@code action} counter is billing's); null otherwise. */
  String metricsUrl() {
    return temporalCli == null ? null : "http://127.0.0.1:" + (port + 2000) + "/metrics";
  }

  SandboxRuntime runtime() {
    return runtime;
  }

  SandboxClient client() {
    return client;
  }

  /** Terminates what still runs and stops everything; returns how many sandboxes it terminated. */
  int shutdown() {
    int terminated = 0;
    try {
      // the sandboxes that may still have a pod or process: not the (possibly many) finished ones
      List<SandboxSummary> open = new ArrayList<>(client.list(SandboxFilter.unfinished()));
      for (SandboxSummary s : open) {
        if (s.open()) {
          client.terminate(s.name(), "the development stack is stopping");
          terminated++;
        }
      }
    } catch (RuntimeException e) {
      // Best effort: the runtime's close below still kills every process it started.
    }
    close();
    return terminated;
  }

  @Override
  public void close() {
    try {
      factory.shutdown();
      factory.awaitTermination(10, TimeUnit.SECONDS);
      closeRuntime(runtime);
    } finally {
      stubs.shutdownNow();
      if (javaServer != null) {
        javaServer.close();
      }
      if (temporalCli != null) {
        stop(temporalCli);
        store.close();
      }
      removeIfEmpty(directory(port));
    }
  }

  /**
   * The stack's own directory, {@code sandbox-dev-PORT} in the temporary directory: the temporal
   * CLI's database ({@code temporal/}, new at each start) and the local runtime's root
   * ({@code local/}). Stacks run on different ports, so they never share a root (one runtime per
   * root: a second would report the first one's sandboxes as lost, and a name the first used
   * would conflict); what a stack killed outright left there, the next stack on that port
   * recovers (its processes killed) and removes when it stops, as a clean stop does at once.
   */
  static Path directory(int port) {
    return Path.of(System.getProperty("java.io.tmpdir"), "sandbox-dev-" + port);
  }

  /** Closes the runtime; a local one's root goes with it (best effort: a warning when it cannot). */
  private static void closeRuntime(SandboxRuntime runtime) {
    if (!(runtime instanceof LocalRuntime local)) {
      runtime.close();
      return;
    }
    try {
      local.closeAndDelete();
    } catch (RuntimeException e) {
      System.err.println("warning: the local runtime's directory was not removed entirely: "
          + GlobalOptions.rootMessage(e));
    }
  }

  private static void removeIfEmpty(Path directory) {
    try {
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      // not empty (something was left, and said so) or already gone
    }
  }

  /** The highest {@code --port} of a stack: its Web UI takes PORT+1000 and its metrics PORT+2000. */
  static final int MAX_PORT = 65535 - 2000;

  /** Refuses a {@code --port} outside 1..{@link #MAX_PORT}, naming the value typed. */
  static void requirePort(picocli.CommandLine commandLine, int port) {
    if (port < 1 || port > MAX_PORT) {
      throw new picocli.CommandLine.ParameterException(commandLine, "--port must be between 1 and " + MAX_PORT
          + " (the UI takes PORT+1000, its metrics PORT+2000), got " + port);
    }
  }

  /** SIGTERM to {@code process}, and SIGKILL when it has not exited 10 s later. */
  static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Fails when a port is taken. A server left on it (say by a `sandbox dev` that was killed)
   * would otherwise answer in place of the one this stack starts, and every run would share its
   * state without a word.
   */
  private static void requirePortsFreeOrFail(int... ports) {
    for (int p : ports) {
      try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new java.net.InetSocketAddress("127.0.0.1", p));
      } catch (IOException e) {
        throw new CliException(ExitCodes.OPERATIONAL, "port " + p + " on 127.0.0.1 is in use (a Temporal "
            + "server left by an earlier `sandbox dev`?); stop what listens there or choose another --port");
      }
    }
  }

  private static Process startTemporalCli(Path temporal, int port, DevServerStore store) {
    List<String> command = new ArrayList<>();
    Path setpriv = onPath("setpriv");
    if (setpriv != null) {
      // The server dies with this JVM even when it is killed (SIGKILL runs no shutdown hook).
      command.addAll(List.of(setpriv.toString(), "--pdeathsig", "TERM", "--"));
    }
    command.addAll(List.of(temporal.toString(), "server", "start-dev",
        "--ip", "127.0.0.1", "--port", String.valueOf(port), "--ui-port", String.valueOf(port + 1000),
        "--metrics-port", String.valueOf(port + 2000),
        "--log-level", "error"));
    command.addAll(store.flags());
    command.addAll(searchAttributeFlags());
    command.addAll(DRAINAGE_FLAGS);
    try {
      return new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new CliException(ExitCodes.OPERATIONAL, "could not start " + temporal + ": " + e.getMessage());
    }
  }

  /**
   * A Worker Deployment version that is no longer current reports DRAINED seconds, not minutes
   * (the server's defaults are 3 min grace and 3 min refresh), after its last pinned workflow
   * closed, so a rollout can be tried out and tested on this server. The cost is a visibility
   * query every few seconds per draining version.
   */
  static final List<String> DRAINAGE_FLAGS = List.of(
      "--dynamic-config-value", "matching.wv.VersionDrainageStatusVisibilityGracePeriod=\"5s\"",
      "--dynamic-config-value", "matching.wv.VersionDrainageStatusRefreshInterval=\"5s\"");

  /** The {@code temporal server start-dev} flags that register the sandbox search attributes. */
  static List<String> searchAttributeFlags() {
    List<String> flags = new ArrayList<>();
    SearchAttributeKeys.DEFINITIONS.forEach((name, type) -> {
      flags.add("--search-attribute");
      flags.add(name + "=" + switch (type) {
        case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
        case INDEXED_VALUE_TYPE_INT -> "Int";
        case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
        default -> throw new IllegalStateException("no CLI name for search attribute type " + type);
      });
    });
    return flags;
  }

  /** Start-up is the one wait with nothing to watch: the server either answers or it does not yet. */
  static void awaitServer(WorkflowServiceStubs stubs, Process cli, Duration limit) {
    Instant deadline = Instant.now().plus(limit);
    while (true) {
      try {
        stubs.healthCheck();
        return;
      } catch (RuntimeException e) {
        if (cli != null && !cli.isAlive()) {
          throw new CliException(ExitCodes.OPERATIONAL,
              "the temporal dev server exited with code " + cli.exitValue());
        }
        if (Instant.now().isAfter(deadline)) {
          throw new CliException(ExitCodes.OPERATIONAL,
              "Temporal did not start within " + limit.toSeconds() + "s: " + GlobalOptions.rootMessage(e));
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new CliException(ExitCodes.OPERATIONAL, "interrupted while Temporal was starting");
        }
      }
    }
  }

  static boolean kubeconfigFound() {
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      return java.util.Arrays.stream(env.split(File.pathSeparator)).anyMatch(p -> Files.isRegularFile(Path.of(p)));
    }
    return Files.isRegularFile(Path.of(System.getProperty("user.home"), ".kube", "config"));
  }

  static Path onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
