package dev.sandboxes.cli;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.OutputPiece;
import dev.sandboxes.model.SandboxException;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.SandboxPhase;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a sandbox's output, while it runs and after it ended.")
final class LogsCommand implements Callable<Integer> {
  /**
   * How often --follow asks for new lines where the sandbox runs without the in-sandbox agent;
   * each ask is one workflow update. With the agent, new output is printed as it is written.
   */
  static final Duration FOLLOW_INTERVAL = Duration.ofSeconds(2);

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Option(names = "--tail", paramLabel = "N", description = "last N lines (1..5000, default 500)")
  Integer tail;

  @Option(names = "--since", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "only lines from the last DURATION, e.g. 10m")
  Duration since;

  @Option(names = {"-f", "--follow"}, description = "keep printing new lines until the sandbox ends")
  boolean follow;

  @Override
  public Integer call() throws InterruptedException {
    try {
      SandboxClient client = global.sandboxes();
      PrintWriter out = spec.commandLine().getOut();
      Instant from = since == null ? null : Instant.now().minus(since);
      // where the command's output stands now, before the tail is read: following from there
      // misses nothing (a line written in between may show twice)
      long end = follow && !global.json ? outputEnd(client) : -1;
      LogChunk chunk = client.logs(name, new LogRequest(tail, from));
      Instant last = print(out, chunk, null);
      if (end >= 0) {
        followThroughTheAgent(client, out, end);
        return ExitCodes.OK;
      }
      while (follow && !client.describe(name).phase().terminal()) {
        Thread.sleep(FOLLOW_INTERVAL.toMillis());
        last = print(out, client.logs(name, new LogRequest(LogRequest.MAX_TAIL, last)), last);
      }
      if (follow) {
        // The sandbox ended: its captured tail may hold lines written since the last ask, unless
        // its workflow was closed outside the project, which captured none (what was followed stands)
        try {
          print(out, client.logs(name, new LogRequest(LogRequest.MAX_TAIL, last)), last);
        } catch (SandboxNotRunningException noneCaptured) {
          // nothing more to print
        }
      }
      return ExitCodes.OK;
    } finally {
      global.close();
    }
  }

  /** The current end of the command's output, or -1 where the agent is not there to follow it. */
  private long outputEnd(SandboxClient client) {
    try {
      ExecOutputChunk end = client.execOutput(name, new ExecOutputRequest(ExecOutputRequest.MAIN,
          ExecOutputRequest.END, Duration.ZERO));
      return end.unavailable() ? -1 : end.nextOffset();
    } catch (SandboxException e) {
      return -1; // no agent, or an idle sandbox (no command): follow by asking every few seconds
    }
  }

  /**
   * Prints the command's output from {@code offset} as it is written, each read returning as soon
   * as new output is there, until the command ends (true) or its sandbox goes away (false).
   */
  private boolean followThroughTheAgent(SandboxClient client, PrintWriter out, long offset) {
    StreamDecoder text = new StreamDecoder();
    while (true) {
      ExecOutputChunk chunk;
      try {
        chunk = client.execOutput(name, new ExecOutputRequest(ExecOutputRequest.MAIN, offset, null));
      } catch (SandboxException e) {
        out.print(text.finish());
        out.flush();
        return false;
      }
      // the log interleaves both streams, as the container's log does
      for (OutputPiece piece : chunk.pieces()) {
        out.print(text.feed(piece.data()));
      }
      out.flush();
      offset = chunk.nextOffset();
      if (chunk.ended()) {
        out.print(text.finish());
        out.flush();
        return true;
      }
    }
  }

  /** Prints the lines after {@code after} (lines at that instant were printed already). */
  private Instant print(PrintWriter out, LogChunk chunk, Instant after) {
    Instant last = after;
    for (LogLine line : chunk.lines()) {
      if (after != null && line.timestamp() != null && !line.timestamp().isAfter(after)) {
        continue;
      }
      if (global.json) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("timestamp", line.timestamp());
        o.put("text", line.text());
        Output.printJson(out, o);
      } else {
        out.println(line.text());
      }
      if (line.timestamp() != null) {
        last = line.timestamp();
      }
    }
    out.flush();
    return last;
  }
}
