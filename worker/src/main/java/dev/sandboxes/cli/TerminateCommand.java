package dev.sandboxes.cli;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.SandboxFilter;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxPhase;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "terminate", mixinStandardHelpOptions = true, description = "Terminate sandboxes by name, tag or phase; returns once "
    + "each is terminal. Sandboxes that already ended are skipped and reported.")
final class TerminateCommand implements Callable<Integer> {
  private static final int PARALLELISM = 8;

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NAME", arity = "0..*", description = "sandboxes to terminate")
  List<String> names = new ArrayList<>();

  @Option(names = "--tag", paramLabel = "K=V", description = "every sandbox with all these tags")
  Map<String, String> tags = new LinkedHashMap<>();

  @Option(names = "--phase", paramLabel = "P", converter = PhaseConverter.class,
      description = "every sandbox in these phases")
  List<SandboxPhase> phases = new ArrayList<>();

  @Option(names = "--all", description = "every sandbox that has not ended")
  boolean all;

  @Option(names = "--dry-run", description = "print what would be terminated, change nothing")
  boolean dryRun;

  @Option(names = "--no-wait", description = "return once each request was accepted")
  boolean noWait;

  @Option(names = "--reason", description = "recorded as the termination message")
  String reason;

  record Target(String name, SandboxPhase phase) {}

  @Override
  public Integer call() throws Exception {
    boolean byFilter = all || !tags.isEmpty() || !phases.isEmpty();
    if (names.isEmpty() == !byFilter) {
      throw new ParameterException(spec.commandLine(),
          "give sandbox names, or --tag/--phase/--all, but not both");
    }
    if (reason != null && reason.length() > SandboxClient.MAX_REASON) {
      throw new ParameterException(spec.commandLine(), "--reason: must be at most "
          + SandboxClient.MAX_REASON + " characters, got " + reason.length());
    }
    try {
      SandboxClient client = global.sandboxes();
      int code = ExitCodes.OK;
      List<Target> targets = new ArrayList<>();
      if (byFilter) {
        client.list(new SandboxFilter(Set.copyOf(phases), tags, null, null, false))
            .forEach(s -> targets.add(new Target(s.name(), s.phase())));
      } else {
        for (String name : names) {
          try {
            targets.add(new Target(name, client.describe(name).phase()));
          } catch (SandboxNotFoundException e) {
            spec.commandLine().getErr().println("sandbox: " + e.getMessage());
            code = ExitCodes.NOT_FOUND;
          }
        }
      }
      List<Map<String, Object>> report = run(client, targets);
      PrintWriter out = spec.commandLine().getOut();
      if (global.json) {
        Output.printJson(out, report);
      } else {
        report.forEach(r -> out.printf("%-14s %s (%s)%n", r.get("action"), r.get("name"), r.get("phase")));
      }
      return report.stream().anyMatch(r -> "failed".equals(r.get("action"))) ? ExitCodes.OPERATIONAL : code;
    } finally {
      global.close();
    }
  }

  private List<Map<String, Object>> run(SandboxClient client, List<Target> targets) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM);
    try {
      List<Future<Map<String, Object>>> futures = new ArrayList<>();
      for (Target t : targets) {
        futures.add(pool.submit(() -> one(client, t)));
      }
      List<Map<String, Object>> report = new ArrayList<>();
      for (Future<Map<String, Object>> f : futures) {
        report.add(f.get());
      }
      return report;
    } finally {
      pool.shutdownNow();
    }
  }

  private Map<String, Object> one(SandboxClient client, Target t) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("name", t.name());
    if (t.phase().terminal()) {
      r.put("action", "skipped");
      r.put("phase", t.phase().wireName());
    } else if (dryRun) {
      r.put("action", "would-terminate");
      r.put("phase", t.phase().wireName());
    } else {
      try {
        if (noWait) {
          r.put("action", client.requestTermination(t.name(), reason) ? "terminating" : "skipped");
          r.put("phase", t.phase().wireName());
        } else {
          r.put("action", "terminated");
          r.put("phase", client.terminate(t.name(), reason).phase().wireName());
        }
      } catch (RuntimeException e) {
        r.put("action", "failed");
        r.put("phase", t.phase().wireName());
        r.put("error", SandboxCommand.message(e));
        spec.commandLine().getErr().println("sandbox: " + t.name() + ": " + SandboxCommand.message(e));
      }
    }
    return r;
  }
}
