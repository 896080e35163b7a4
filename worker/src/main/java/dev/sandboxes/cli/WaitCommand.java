package dev.sandboxes.cli;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.workflow.SandboxResult;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "wait", mixinStandardHelpOptions = true, description = "Wait until a sandbox runs (--for running) or has ended (--for done); "
    + "prints its phase.")
final class WaitCommand implements Callable<Integer> {
  enum Target { running, done }

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Option(names = "--for", defaultValue = "done", description = "running or done (default ${DEFAULT-VALUE})")
  Target target;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "10m", description = "give up after this long (default ${DEFAULT-VALUE})")
  Duration timeout;

  @Override
  public Integer call() {
    try {
      SandboxClient client = global.sandboxes();
      SandboxStatus status;
      if (target == Target.running) {
        status = client.awaitRunning(name, timeout);
        if (status.phase().terminal()) {
          print(status);
          throw new CliException(ExitCodes.WRONG_PHASE, "sandbox \"" + name + "\" is "
              + status.phase().wireName() + " and will not run");
        }
        if (status.phase() != SandboxPhase.RUNNING) {
          throw timedOut(status);
        }
      } else {
        Optional<SandboxResult> done = client.awaitDone(name, timeout);
        if (done.isEmpty()) {
          throw timedOut(client.describe(name));
        }
        status = done.get().status();
      }
      print(status);
      return ExitCodes.OK;
    } finally {
      global.close();
    }
  }

  private void print(SandboxStatus status) {
    Output.print(spec.commandLine().getOut(), global.json, Output.json(status), status.phase().wireName());
  }

  private CliException timedOut(SandboxStatus status) {
    return new CliException(ExitCodes.OPERATIONAL, "timed out after " + timeout.toSeconds()
        + "s waiting for sandbox \"" + name + "\" to be " + target + "; it is "
        + status.phase().wireName());
  }
}
