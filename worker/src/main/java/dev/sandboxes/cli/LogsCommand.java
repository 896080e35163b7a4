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
      // misses nothing, and what was written while the tail was read is printed less what the
      // tail already showed
      long end = follow && !global.json ? outputEnd(client) : -1;
      LogChunk chunk = client.logs(name, new LogRequest(tail, from));
      Instant last = print(out, chunk, null);
      if (end >= 0) {
        StreamDecoder text = new StreamDecoder();
        long next = printAfterTail(client, out, chunk, end, text);
        followThroughTheAgent(client, out, next, text);
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
  private boolean followThroughTheAgent(SandboxClient client, PrintWriter out, long offset,
      StreamDecoder text) {
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

  /**
   * Prints what the command wrote from {@code before} (its end, read before the tail) to its end
   * now, less the lines at its start that the tail already showed; returns the offset following
   * goes on from. Nothing is read where nothing was written meanwhile, the usual case.
   */
  private long printAfterTail(SandboxClient client, PrintWriter out, LogChunk tail, long before,
      StreamDecoder text) {
    long now = outputEnd(client);
    long offset = before;
    StringBuilder written = new StringBuilder();
    while (offset < now) {
      ExecOutputChunk chunk;
      try {
        chunk = client.execOutput(name, new ExecOutputRequest(ExecOutputRequest.MAIN, offset, Duration.ZERO));
      } catch (SandboxException e) {
        break; // the sandbox went away: following from here says so
      }
      chunk.pieces().forEach(piece -> written.append(text.feed(piece.data())));
      long from = offset;
      offset = chunk.nextOffset();
      if (offset == from || chunk.ended()) {
        break;
      }
    }
    List<String> shown = tail.lines().stream().map(LogLine::text).toList();
    out.print(written.substring(shownInTail(shown, written.toString())));
    out.flush();
    return offset;
  }

  /**
   * How much of {@code written} (output written while the tail was read) the tail already showed:
   * the end of its first k whole lines, for the least k ≥ 1 whose last lines are the tail's last
   * lines, else 0. Lines the container's log had not taken in yet are not in the tail; where a
   * line written meanwhile repeats the tail's last ones, a line may show twice rather than be lost.
   */
  static int shownInTail(List<String> tail, String written) {
    if (tail.isEmpty()) {
      return 0;
    }
    List<Integer> lineEnds = new ArrayList<>();
    for (int i = written.indexOf('\n'); i >= 0; i = written.indexOf('\n', i + 1)) {
      lineEnds.add(i + 1);
    }
    for (int k = 1; k <= lineEnds.size(); k++) {
      if (endsLike(tail, written, lineEnds, k)) {
        return lineEnds.get(k - 1);
      }
    }
    return 0;
  }

  /** Whether the first {@code k} lines of {@code written} end with the tail's last lines. */
  private static boolean endsLike(List<String> tail, String written, List<Integer> lineEnds, int k) {
    for (int j = 0; j < Math.min(k, tail.size()); j++) {
      int line = k - 1 - j;
      int start = line == 0 ? 0 : lineEnds.get(line - 1);
      if (!written.substring(start, lineEnds.get(line) - 1).equals(tail.get(tail.size() - 1 - j))) {
        return false;
      }
    }
    return true;
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
