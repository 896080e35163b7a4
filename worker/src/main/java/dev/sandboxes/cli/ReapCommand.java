package dev.sandboxes.cli;

import dev.sandboxes.reaper.ReapReport;
import dev.sandboxes.reaper.ReapedObject;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "reap", mixinStandardHelpOptions = true,
    description = "Remove what closed workflows left behind: pods, helper pods, network policies, "
        + "claims and local directories whose owner workflow is closed (or gone, or replaced by a "
        + "later workflow of the same ID). Objects of open workflows and objects without this "
        + "project's label are never touched. Runs one pass on a worker of the task queue; the "
        + "worker also runs it on a schedule.")
final class ReapCommand extends ClientCommand {
  @Option(names = "--dry-run", description = "Print what would be removed; remove nothing.")
  boolean dryRun;

  @Option(names = "--grace", converter = GraceConverter.class, paramLabel = "DURATION",
      description = "How long an owner must have been closed before its objects go (default 30s; "
          + "0s for at once).")
  Duration grace;

  /** A duration as {@link DurationConverter} reads it, or zero. */
  static final class GraceConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return value != null && value.trim().matches("0+(ms|s|m|h|d)?") ? Duration.ZERO
          : DurationConverter.parse(value);
    }
  }

  @Override
  int act(PrintWriter out) {
    ReapReport report = global.reaper().reapNow(global.taskQueue, dryRun, grace);
    if (global.json) {
      Output.printJson(out, report);
    } else {
      String verb = report.dryRun() ? "would remove" : "removed";
      for (ReapedObject o : report.removed()) {
        out.printf("%s %s %s (owner %s): %s%n", verb, o.kind(), o.name(), o.ownerWorkflowId(), o.why());
      }
      out.printf("%s %d object(s), kept %d%s%n", verb, report.removed().size(), report.kept(),
          report.errors().isEmpty() ? "" : ", " + report.errors().size() + " error(s)");
      report.errors().forEach(e -> out.println("error: " + e));
    }
    return report.errors().isEmpty() ? ExitCodes.OK : ExitCodes.OPERATIONAL;
  }
}
