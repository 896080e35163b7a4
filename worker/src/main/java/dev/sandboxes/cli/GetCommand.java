package dev.sandboxes.cli;

import dev.sandboxes.model.SandboxStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "get", mixinStandardHelpOptions = true, description = "Print a sandbox's full status.")
final class GetCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Override
  public Integer call() {
    try {
      SandboxStatus status = global.sandboxes().describe(name);
      if (global.json) {
        Output.printJson(spec.commandLine().getOut(), Output.json(status));
      } else {
        Output.printStatus(spec.commandLine().getOut(), status);
      }
      return ExitCodes.OK;
    } finally {
      global.close();
    }
  }
}
