package dev.sandboxes.cli;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "exec", mixinStandardHelpOptions = true, description = "Run a command in a running sandbox; exits with its exit code.")
final class ExecCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "command and arguments, after --")
  List<String> argv = new ArrayList<>();

  @Option(names = {"-e", "--env"}, paramLabel = "K=V")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(names = "--workdir", paramLabel = "DIR")
  String workdir;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "give up after this long (default 5m); a timed-out command exits 124")
  Duration timeout;

  @Override
  public Integer call() {
    try {
      ExecResult result = global.sandboxes().exec(name,
          new ExecRequest(argv, env, workdir, timeout, null));
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (global.json) {
        Output.printJson(out, result);
      } else {
        out.print(result.stdout());
        out.flush();
        err.print(result.stderr());
        err.flush();
      }
      if (result.stdoutTruncated() || result.stderrTruncated()) {
        err.println("sandbox: output truncated at the worker's cap");
      }
      if (result.timedOut()) {
        err.println("sandbox: command timed out after " + result.duration().toSeconds() + "s");
      }
      return result.exitCode();
    } finally {
      global.close();
    }
  }
}
