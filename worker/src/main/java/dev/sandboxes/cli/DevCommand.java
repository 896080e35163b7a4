package dev.sandboxes.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "dev", mixinStandardHelpOptions = true, description = "Run the development stack: a Temporal server on 127.0.0.1 "
    + "(the temporal CLI's dev server with its UI when on PATH, else an in-process one), the search "
    + "attributes and a worker. Prints 'ready address=HOST:PORT runtime=NAME'; runs until "
    + "interrupted, then terminates every sandbox it started.")
final class DevCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--port", defaultValue = "7233", description = "gRPC port (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--runtime", paramLabel = "local|kubernetes",
      description = "default: kubernetes when a kubeconfig is found, else local")
  String runtime;

  /** Released to stop the stack: by an interrupt, a shutdown signal, or a test. */
  final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public Integer call() {
    GlobalOptions.refuseUnused(spec, java.util.Set.of(), "it starts its own Temporal server on 127.0.0.1:--port "
        + "(to serve an existing server, run `sandbox worker --address HOST:PORT --sandboxes.runtime=local`)");
    EmbeddedStack.requirePort(spec.commandLine(), port);
    PrintWriter out = spec.commandLine().getOut();
    EmbeddedStack stack = EmbeddedStack.start(port, runtime);
    // On Ctrl-C the JVM exits once its hooks return: the hook waits for the cleanup to finish.
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        stopped.await(2, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "sandbox-dev-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Thread main = Thread.currentThread();
    if (stack.uiUrl() != null) {
      out.println("ui " + stack.uiUrl());
    }
    out.println("ready address=" + stack.address() + " runtime=" + stack.runtimeKind());
    out.flush();
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      boolean interrupted = Thread.interrupted();
      try {
        int terminated = stack.shutdown();
        out.println("stopped: terminated " + terminated + " sandbox(es)");
        out.flush();
      } finally {
        stopped.countDown();
      }
      if (Thread.currentThread() == main) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // Already shutting down: the hook has run.
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return ExitCodes.OK;
  }
}
