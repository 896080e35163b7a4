package dev.sandboxes.cli;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.SandboxFilter;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.runtime.OwnedObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * The scale benchmark: N idle sandboxes running at once on one in-process worker (the embedded
 * stack: a temporal CLI dev server and the chosen runtime), each answering an exec. Reports how
 * long they took to start and to run, the exec latencies with all N open, the worker's live heap
 * after a full GC (idle and after the execs), how long {@code list} of all N takes, and how long
 * terminating them takes, then checks that nothing is left. Appends a section to the results file.
 *
 * <p>Arguments: {@code RUNTIME COUNT RESULTS_FILE} (runtime {@code local} or {@code kubernetes}).
 */
public final class ScaleBenchmark {
  /** How long one exec may take before it counts as failed. */
  static final Duration EXEC_LIMIT = Duration.ofMinutes(2);
  static final int CLIENT_THREADS = 50;

  private ScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    String runtimeKind = args[0];
    int count = Integer.parseInt(args[1]);
    Path results = Path.of(args[2]);
    if (EmbeddedStack.onPath("temporal") == null) {
      throw new IllegalStateException("the benchmark runs on the temporal CLI dev server: put temporal on PATH");
    }
    EmbeddedStack stack = EmbeddedStack.start(DemoCommand.freePort(), runtimeKind);
    ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
    try {
      SandboxClient sandboxes = stack.client();
      String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
      List<String> names = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        names.add("scale-" + tag + "-" + i);
      }
      long heapBefore = BatchBenchmark.oldGenAfterGc() >> 20;

      long t0 = System.nanoTime();
      all(pool, count, i -> () -> sandboxes.start(SandboxSpec.builder("busybox:1.36").name(names.get(i))
          .tag("scale", tag).cpu("10m").memory("16Mi").build()));
      double startSeconds = seconds(t0);
      List<String> notRunning = new ArrayList<>(Collections.nCopies(count, (String) null));
      all(pool, count, i -> () -> {
        SandboxPhase phase = sandboxes.awaitRunning(names.get(i), Duration.ofMinutes(10)).phase();
        notRunning.set(i, phase == SandboxPhase.RUNNING ? null : names.get(i) + " " + phase);
        return null;
      });
      double runningSeconds = seconds(t0);
      List<String> failedToRun = notRunning.stream().filter(s -> s != null).toList();
      long heapIdle = BatchBenchmark.oldGenAfterGc() >> 20;

      ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> execFailures = new ConcurrentLinkedQueue<>();
      t0 = System.nanoTime();
      List<Future<ExecResult>> execs = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = names.get(i);
        String expected = "x" + i;
        execs.add(pool.submit(() -> {
          long s = System.nanoTime();
          ExecResult r = sandboxes.exec(name, ExecRequest.of("echo", expected));
          latencies.add((System.nanoTime() - s) / 1_000_000);
          if (r.exitCode() != 0 || !r.stdout().trim().equals(expected)) {
            execFailures.add(name + ": exit " + r.exitCode() + ", " + r.stdout().trim());
          }
          return r;
        }));
      }
      long deadline = System.nanoTime() + EXEC_LIMIT.toNanos() + Duration.ofSeconds(count / 10).toNanos();
      for (int i = 0; i < count; i++) {
        try {
          execs.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          execFailures.add(names.get(i) + ": no answer within the benchmark's limit");
          execs.get(i).cancel(true);
        } catch (Exception e) {
          execFailures.add(names.get(i) + ": " + GlobalOptions.rootMessage(e));
        }
      }
      double execSeconds = seconds(t0);
      long heapAfterExecs = BatchBenchmark.oldGenAfterGc() >> 20;

      // visibility is eventually consistent: wait until it shows them all, then time the lists
      SandboxFilter ours = SandboxFilter.unfinished().withTags(Map.of("scale", tag));
      long waitUntil = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      int listed = 0;
      while ((listed = sandboxes.list(ours).size()) < count - failedToRun.size() && System.nanoTime() < waitUntil) {
        Thread.sleep(500); // visibility offers no watch; the benchmark only waits for it to settle
      }
      List<Long> listMillis = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        long s = System.nanoTime();
        listed = sandboxes.list(ours).size();
        listMillis.add((System.nanoTime() - s) / 1_000_000);
      }
      Collections.sort(listMillis);
      List<dev.sandboxes.client.SandboxSummary> rows = sandboxes.list(ours);
      long kept = rows.stream().filter(r -> r.status() != null).count();
      // what `sandbox list` prints, in this process (no JVM start): from visibility alone since the
      // status memo; the way before it (a status query per row, each a workflow task on the worker)
      // timed once beside it, in the same run, as the baseline
      List<Long> cliMillis = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        long s = System.nanoTime();
        cliList(stack.address(), tag);
        cliMillis.add((System.nanoTime() - s) / 1_000_000);
      }
      Collections.sort(cliMillis);
      long s0 = System.nanoTime();
      for (dev.sandboxes.client.SandboxSummary row : sandboxes.list(ours)) {
        sandboxes.describe(row.name());
      }
      long queryPerRowMillis = (System.nanoTime() - s0) / 1_000_000;

      t0 = System.nanoTime();
      all(pool, count, i -> () -> sandboxes.terminate(names.get(i), "scale benchmark done"));
      double terminateSeconds = seconds(t0);
      List<OwnedObject> left = stack.runtime().ownedObjects().stream()
          .filter(o -> o.name().startsWith("scale-" + tag + "-")).toList();

      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      String report = String.format(Locale.ROOT, """

          ### Scale benchmark, %s runtime, %d idle sandboxes on one worker (%s)

          Machine: %s, %d cores, %s; JVM %s, max heap %d MiB. Method: the embedded stack (temporal CLI
          dev server, one in-process worker with default worker options (the plugin raises its activity
          slots to 2,000), the %s runtime) in one JVM with
          the client; %d idle sandboxes (`busybox:1.36`, no command) started from %d client threads, each
          awaited to `running`; then one `echo` exec in each (%d at a time); `list` of the %d (a filter on
          their tag) 5 times once visibility showed them all; then each terminated. Heap: used after a
          full GC, the worker, runtime and client together.

          | measure | value |
          |---|---|
          | start requests accepted | %.1f s |
          | all running (from the first start) | %.1f s (%d not running: %s) |
          | execs: all answered | %.1f s |
          | exec latency p50 / p95 / p99 / max | %s |
          | exec failures | %d %s |
          | heap after GC: before, with %d idle, after the execs | %d / %d / %d MiB |
          | `list` of %d (rows %d): fastest / median / slowest of 5 | %d / %d / %d ms |
          | rows with their status kept in the memo | %d of %d |
          | `sandbox list --tag scale=…` in process (table printed): fastest / median / slowest of 5 | %d / %d / %d ms |
          | the same rows with a status query each (`list` before the memo), once | %d ms (%.0f× the median above) |
          | terminate all | %.1f s; objects left: %d |
          """,
          runtimeKind, count, Instant.now().toString().substring(0, 10),
          System.getProperty("os.name") + " " + System.getProperty("os.arch"),
          Runtime.getRuntime().availableProcessors(), BatchBenchmark.totalMemory(), System.getProperty("java.version"),
          Runtime.getRuntime().maxMemory() >> 20, runtimeKind, count, CLIENT_THREADS, CLIENT_THREADS, count,
          startSeconds, runningSeconds, failedToRun.size(), sample(failedToRun),
          execSeconds, percentiles(sorted),
          execFailures.size(), sample(new ArrayList<>(execFailures)),
          count, heapBefore, heapIdle, heapAfterExecs,
          count, listed, listMillis.get(0), listMillis.get(2), listMillis.get(4),
          kept, rows.size(), cliMillis.get(0), cliMillis.get(2), cliMillis.get(4),
          queryPerRowMillis, (double) queryPerRowMillis / Math.max(1, cliMillis.get(2)),
          terminateSeconds, left.size());
      System.out.print(report);
      Files.writeString(results, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      if (!failedToRun.isEmpty() || !execFailures.isEmpty() || !left.isEmpty()) {
        throw new IllegalStateException("not every sandbox ran, answered its exec and was cleaned up");
      }
      if (kept != rows.size()) {
        throw new IllegalStateException("only " + kept + " of " + rows.size() + " listed rows had their status kept");
      }
    } finally {
      pool.shutdownNow();
      stack.close();
    }
    System.exit(0);
  }

  /** Runs {@code sandbox list --tag scale=TAG} against the stack; fails unless it exits 0. */
  static void cliList(String address, String tag) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = SandboxCommand.execute(new String[] {"list", "--tag", "scale=" + tag, "--address", address},
        new java.io.PrintWriter(out), new java.io.PrintWriter(err));
    if (code != 0) {
      throw new IllegalStateException("sandbox list exited " + code + ": " + err);
    }
  }

  /** Runs {@code count} calls on the pool and waits for them all; the first failure is thrown. */
  static void all(ExecutorService pool, int count, IntFunction<java.util.concurrent.Callable<?>> call) throws Exception {
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      futures.add(pool.submit(call.apply(i)));
    }
    for (Future<?> f : futures) {
      f.get();
    }
  }

  static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  static String percentiles(List<Long> sorted) {
    if (sorted.isEmpty()) {
      return "-";
    }
    return String.format(Locale.ROOT, "%d / %d / %d / %d ms", at(sorted, 0.50), at(sorted, 0.95), at(sorted, 0.99),
        sorted.get(sorted.size() - 1));
  }

  static long at(List<Long> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  static String sample(List<String> items) {
    return items.isEmpty() ? "" : "(" + String.join("; ", items.subList(0, Math.min(3, items.size()))) + ")";
  }
}
