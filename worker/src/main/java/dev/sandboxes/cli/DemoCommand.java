package dev.sandboxes.cli;

import dev.sandboxes.cli.demo.DemoWorkflow;
import dev.sandboxes.cli.demo.DemoWorkflowImpl;
import dev.sandboxes.model.TaskQueues;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "On the embedded stack, fan out a few sandboxes, each doing "
    + "something visible, and print a results table.")
final class DemoCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--count", defaultValue = "8", description = "how many sandboxes (default ${DEFAULT-VALUE})")
  int count;

  @Option(names = "--port", description = "gRPC port of the embedded server (default: a free one)")
  Integer port;

  @Option(names = "--runtime", paramLabel = "local|kubernetes",
      description = "default: kubernetes when a kubeconfig is found, else local")
  String runtime;

  @Override
  public Integer call() throws Exception {
    GlobalOptions.refuseUnused(spec, java.util.Set.of("--json"), "it runs on its own embedded stack");
    if (count < 1 || count > 100) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--count must be between 1 and 100, got " + count);
    }
    if (port != null) {
      EmbeddedStack.requirePort(spec.commandLine(), port);
    }
    PrintWriter out = spec.commandLine().getOut();
    int chosen = port != null ? port : freePort();
    try (EmbeddedStack stack = EmbeddedStack.start(chosen, runtime, DemoWorkflowImpl.class)) {
      out.printf("embedded Temporal at %s, %s runtime; fanning out %d sandboxes...%n",
          stack.address(), stack.runtimeKind(), count);
      out.flush();
      String id = "demo-" + Long.toString(System.currentTimeMillis(), 36);
      DemoWorkflow demo = stack.client().workflowClient().newWorkflowStub(DemoWorkflow.class,
          WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(TaskQueues.DEFAULT).build());
      List<DemoWorkflow.Row> rows = demo.run(count);
      if (global.json) {
        Output.printJson(out, rows);
      } else {
        Table table = new Table("SANDBOX", "PHASE", "EXIT", "OUTPUT");
        rows.forEach(r -> table.row(r.name(), r.phase(), r.exitCode(), r.output()));
        table.print(out);
        long ok = rows.stream().filter(r -> "succeeded".equals(r.phase())).count();
        out.printf("%d of %d succeeded.%n", ok, rows.size());
        if (stack.uiUrl() != null) {
          out.printf("In the Temporal UI (%s, while a demo runs): workflow %s and its children, or "
              + "search SandboxTags = \"demo=%s\".%n", stack.uiUrl(), id, id);
        } else {
          out.println("No Temporal UI here: the in-process server has none. With the temporal CLI on "
              + "PATH, 'sandbox dev' serves one at http://127.0.0.1:8233 and lists each sandbox "
              + "workflow with its phase as a search attribute.");
        }
      }
      return rows.stream().allMatch(r -> r.phase().equals("succeeded")) ? ExitCodes.OK : ExitCodes.OPERATIONAL;
    }
  }

  /** A port P such that P (frontend), P+1000 (UI) and P+2000 (metrics) are all free now. */
  static int freePort() throws java.io.IOException {
    java.util.Random random = new java.util.Random();
    for (int tries = 0; tries < 200; tries++) {
      int port = 20000 + random.nextInt(20000);
      if (free(port) && free(port + 1000) && free(port + 2000)) {
        return port;
      }
    }
    throw new java.io.IOException("no free port P with P+1000 and P+2000 free between 20000 and 42000");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
