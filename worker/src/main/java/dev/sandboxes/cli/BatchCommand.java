package dev.sandboxes.cli;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.batch.RetryPolicy;
import dev.sandboxes.model.SandboxSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox batch ...}: many sandboxes, bounded parallelism, every result kept. */
@Command(name = "batch", mixinStandardHelpOptions = true,
    description = "Run many sandboxes as one batch: each item in its own sandbox, at most P at a time.",
    subcommands = {BatchCommand.Run.class, BatchCommand.Status.class, BatchCommand.Results.class,
        BatchCommand.Cancel.class})
final class BatchCommand extends CommandGroup {

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Start a batch of IMAGE and print its name; items get SANDBOX_INDEX (and SANDBOX_INPUT).")
  static final class Run extends ClientCommand {
    @Parameters(index = "0", paramLabel = "IMAGE") String image;
    @Parameters(index = "1..*", paramLabel = "CMD", description = "command and arguments, after --")
    List<String> command = new ArrayList<>();
    @Option(names = "--count", paramLabel = "N", description = "run the command N times (SANDBOX_INDEX 0..N-1)")
    Integer count;
    @Option(names = "--input", paramLabel = "S", description = "one item per --input, as SANDBOX_INPUT")
    List<String> inputs;
    @Option(names = "--inputs-file", paramLabel = "F", description = "one item per line of F, as SANDBOX_INPUT")
    Path inputsFile;
    @Option(names = "--parallelism", paramLabel = "P", defaultValue = "10", description = "default ${DEFAULT-VALUE}")
    int parallelism;
    @Option(names = "--retries", paramLabel = "R", defaultValue = "0", description = "retries of a failed item (default 0)")
    int retries;
    @Option(names = "--retry-on", paramLabel = "OUTCOME", split = ",",
        description = "what retries: failed (default), terminated, a reason such as OOMKilled, or exit:N")
    List<String> retryOn;
    @Option(names = "--fail-fast", description = "stop at the first item that fails for good")
    boolean failFast;
    @Option(names = "--name", description = "the batch's name (at most 40 characters); generated when omitted")
    String name;
    @Option(names = {"-e", "--env"}, paramLabel = "K=V") Map<String, String> env = new LinkedHashMap<>();
    @Option(names = "--tag", paramLabel = "K=V") Map<String, String> tags = new LinkedHashMap<>();
    @Option(names = "--cpu", paramLabel = "Q") String cpu;
    @Option(names = "--memory", paramLabel = "Q") String memory;
    @Option(names = "--volume", paramLabel = "/ABS/PATH=VOLUME") Map<String, String> volumes = new LinkedHashMap<>();
    @Option(names = "--tail", paramLabel = "LINES", description = "output lines kept per item (default 20)")
    Integer tail;
    @Option(names = "--wait", description = "wait for the batch and print its summary; exit 1 when an item did not succeed")
    boolean await;
    @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
        defaultValue = "24h", description = "how long --wait waits (default ${DEFAULT-VALUE})")
    Duration waitTimeout;
    @Option(names = "--progress", negatable = true, description = "with --wait, a progress line on stderr "
        + "(done / total, rate, ETA); default: when run in a terminal (stdin and stdout)")
    Boolean progress;

    @Override
    int act(PrintWriter out) throws IOException {
      SandboxSpec template = SandboxSpec.builder(image).command(command).env(env).tags(tags).cpu(cpu).memory(memory)
          .volumeMounts(volumes).build();
      List<String> all = inputs == null ? null : new ArrayList<>(inputs);
      if (inputsFile != null) {
        all = all == null ? new ArrayList<>() : all;
        all.addAll(readInputs(inputsFile));
      }
      // checked here, on the value typed: retries + 1 attempts would overflow past Integer.MAX_VALUE
      if (retries < 0 || retries >= RetryPolicy.MAX_ATTEMPTS) {
        throw new CliException(ExitCodes.USAGE, "--retries: must be between 0 and "
            + (RetryPolicy.MAX_ATTEMPTS - 1) + ", got " + retries);
      }
      RetryPolicy retry = new RetryPolicy(retries + 1, null, null, retryOn);
      BatchSpec batch = new BatchSpec(name, null, template, count, all, parallelism, retry, failFast, tail);
      String started = global.batches().start(batch);
      if (!await) {
        Output.print(out, global.json, Map.of("name", started), started);
        return ExitCodes.OK;
      }
      boolean terminal = System.console() != null;
      Optional<BatchProgress> done;
      // no line (null) unless asked for or on a terminal
      try (ProgressLine line = ProgressLine.wanted(progress, terminal) ? BatchProgressLine.start(
          spec.commandLine().getErr(), terminal, () -> global.batches().progress(started)) : null) {
        done = global.batches().awaitDone(started, waitTimeout);
      }
      if (done.isEmpty()) {
        throw new CliException(ExitCodes.OPERATIONAL, "batch \"" + started + "\" is still running after "
            + waitTimeout.toSeconds() + "s; see sandbox batch status " + started);
      }
      printSummary(out, global.json, done.get());
      return done.get().state().equals(BatchProgress.SUCCEEDED) ? ExitCodes.OK : ExitCodes.OPERATIONAL;
    }
  }

  /** The non-empty lines of {@code file}, reading no further than one line past the item limit. */
  static List<String> readInputs(Path file) {
    try (var lines = Files.lines(file)) {
      List<String> read = lines.filter(l -> !l.isEmpty()).limit(BatchSpec.MAX_ITEMS + 1L).toList();
      if (read.size() > BatchSpec.MAX_ITEMS) {
        throw new CliException(ExitCodes.USAGE, "--inputs-file: must hold at most " + BatchSpec.MAX_ITEMS
            + " items (non-empty lines), got more in " + file);
      }
      return read;
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new CliException(ExitCodes.USAGE, "--inputs-file: must be a readable text file, got " + file
          + " (" + GlobalOptions.rootMessage(e) + ")");
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Print a batch's progress.")
  static final class Status extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    int act(PrintWriter out) {
      printSummary(out, global.json, global.batches().progress(name));
      return ExitCodes.OK;
    }
  }

  @Command(name = "results", mixinStandardHelpOptions = true,
      description = "Print every item's outcome (with --json, also its output tail).")
  static final class Results extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Option(names = "--failed", description = "only items that did not succeed") boolean failedOnly;

    @Override
    int act(PrintWriter out) {
      List<ItemResult> results = global.batches().results(name).stream()
          .filter(r -> !failedOnly || !r.succeeded()).toList();
      if (global.json) {
        Output.printJson(out, results);
        return ExitCodes.OK;
      }
      Table table = new Table("INDEX", "SANDBOX", "PHASE", "EXIT", "TRY", "LAST LINE");
      for (ItemResult r : results) {
        String last = r.tail().isEmpty() ? (r.reason() == null ? "" : r.reason()) : r.tail().get(r.tail().size() - 1);
        table.row(r.index(), r.sandbox(), r.phase(), r.exitCode(), r.attempts(), last);
      }
      table.print(out);
      return ExitCodes.OK;
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a batch: its running items' sandboxes are terminated, no more start.")
  static final class Cancel extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    int act(PrintWriter out) {
      global.batches().cancel(name);
      Output.print(out, global.json, Map.of("name", name, "cancelled", true), "cancel requested for " + name);
      return ExitCodes.OK;
    }
  }

  static void printSummary(PrintWriter out, boolean json, BatchProgress p) {
    if (json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("name", p.name());
      o.put("state", p.state());
      o.put("total", p.total());
      o.put("succeeded", p.succeeded());
      o.put("failed", p.failed());
      o.put("terminated", p.terminated());
      o.put("skipped", p.skipped());
      o.put("running", p.running());
      o.put("pending", p.pending());
      o.put("retries", p.retries());
      o.put("startedAt", p.startedAt());
      o.put("finishedAt", p.finishedAt());
      Output.printJson(out, o);
      return;
    }
    out.printf("%s %s: %d of %d done (%d succeeded, %d failed, %d terminated, %d skipped), %d running, %d retries%n",
        p.name(), p.state(), p.done(), p.total(), p.succeeded(), p.failed(), p.terminated(), p.skipped(), p.running(),
        p.retries());
  }
}
