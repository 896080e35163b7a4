package dev.sandboxes.cli;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "attach", mixinStandardHelpOptions = true,
    description = "Follow an exec by its ID (from `exec --detach` or `exec --id`): print its output from"
        + " an offset as it is written, then exit with its exit code. Needs the in-sandbox agent.")
final class AttachCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Parameters(index = "1", paramLabel = "EXEC_ID")
  String execId;

  @Option(names = "--offset", paramLabel = "N",
      description = "start at this offset of the exec's framed output (0, the default, is its start)")
  long offset;

  @Override
  public Integer call() {
    try {
      SandboxClient client = global.sandboxes();
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      PiecePrinter printer = new PiecePrinter(out, err);
      long at = offset;
      while (true) {
        ExecOutputChunk chunk = client.execOutput(name, new ExecOutputRequest(execId, at, null));
        if (chunk.unavailable()) {
          throw new CliException(ExitCodes.OPERATIONAL, "sandbox " + name + " runs without the in-sandbox "
              + "agent, which keeps execs to attach to; its execs' output comes with their results");
        }
        chunk.pieces().forEach(printer);
        at = chunk.nextOffset();
        if (chunk.ended()) {
          printer.finish();
          if (chunk.timedOut()) {
            err.println("sandbox: command timed out");
          }
          return chunk.exitCode() == null ? ExitCodes.OPERATIONAL : chunk.exitCode();
        }
      }
    } finally {
      global.close();
    }
  }
}
