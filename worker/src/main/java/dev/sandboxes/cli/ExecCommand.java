package dev.sandboxes.cli;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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

  @Option(names = {"-i", "--stdin"},
      description = "pass this command's standard input to the command (read to its end first, at most 1M characters)")
  boolean stdin;

  @Option(names = "--id", paramLabel = "ID",
      description = "the exec's ID: the same ID again attaches to that exec instead of running the command twice")
  String id;

  @Option(names = {"-d", "--detach"},
      description = "start the command, print its exec ID and return; follow it with `sandbox attach NAME ID`")
  boolean detach;

  @Override
  public Integer call() {
    try {
      String input = stdin ? readStdin() : null;
      ExecRequest request = new ExecRequest(argv, env, workdir, timeout, input, id);
      if (detach) {
        String execId = global.sandboxes().startExec(name, request);
        if (global.json) {
          Output.printJson(spec.commandLine().getOut(), java.util.Map.of("sandbox", name, "execId", execId));
        } else {
          spec.commandLine().getOut().println(execId);
        }
        return ExitCodes.OK;
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ExecResult result;
      if (global.json) {
        result = global.sandboxes().exec(name, request);
        Output.printJson(out, result);
      } else {
        // output as the command writes it, each stream decoded on its own
        PiecePrinter printer = new PiecePrinter(out, err);
        result = global.sandboxes().exec(name, request, printer);
        printer.finish();
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

  private static String readStdin() {
    try {
      byte[] bytes = System.in.readNBytes(ExecRequest.MAX_STDIN_CHARS * 4 + 1);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(ExitCodes.OPERATIONAL, "cannot read standard input: " + e.getMessage());
    }
  }
}
