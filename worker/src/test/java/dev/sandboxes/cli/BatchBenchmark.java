package dev.sandboxes.cli;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.runtime.SandboxRuntime;
import io.temporal.api.history.v1.History;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The batch benchmark: one batch of N short items through the whole stack (a temporal CLI dev
 * server, the in-process worker, the chosen runtime) against the same N commands run directly
 * through the runtime with the same parallelism, in the same run. Reports items per second for
 * both and their ratio, Temporal actions per item (the dev server's billing counter), Kubernetes
 * API requests per item (counted by the runtime's client), the worker heap after GC as the batch
 * progresses, and the largest histories. Appends a section to the results file.
 *
 * <p>Arguments: {@code RUNTIME ITEMS PARALLELISM RESULTS_FILE} (runtime {@code local} or
 * {@code kubernetes}, the latter from the kubeconfig in {@code KUBECONFIG}).
 */
public final class BatchBenchmark {
  static final SandboxSpec ITEM = SandboxSpec.builder("busybox:1.36")
      .command("sh", "-c", "echo item $SANDBOX_INDEX; echo done").cpu("50m").memory("32Mi").build();

  private BatchBenchmark() {}

  public static void main(String[] args) throws Exception {
    String runtimeKind = args[0];
    int items = Integer.parseInt(args[1]);
    int parallelism = Integer.parseInt(args[2]);
    Path results = Path.of(args[3]);
    if (EmbeddedStack.onPath("temporal") == null) {
      throw new IllegalStateException("the benchmark counts actions on the temporal CLI dev server: put temporal on PATH");
    }
    // -Dbench.agentImage: the Kubernetes runtime's pods run the in-sandbox agent, as the chart's do
    String agentImage = System.getProperty("bench.agentImage");
    EmbeddedStack stack = EmbeddedStack.start(DemoCommand.freePort(), runtimeKind,
        b -> agentImage == null || agentImage.isBlank() ? b : b.agentImage(agentImage));
    StringBuilder report = new StringBuilder();
    try {
      SandboxRuntime runtime = stack.runtime();
      String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
      WorkflowClient client = stack.client().workflowClient();
      WorkerFactory floorWorkers = FloorBatch.startWorker(client);

      // warm-up: the first sandboxes and workflows pay for class loading and caches
      direct(runtime, "warm-" + tag, 2 * parallelism, parallelism);
      FloorBatch.run(client, "warm-floor-" + tag, 2 * parallelism, parallelism);
      BatchClient batches = new BatchClient(client);
      awaitBatch(batches, batches.start(BatchSpec.ofCount("warm-batch-" + tag, ITEM, 2 * parallelism, parallelism)), null);

      Cpu cpu = Cpu.now();
      long requestsBefore = apiRequests(runtime);
      long t0 = System.nanoTime();
      direct(runtime, "direct-" + tag, items, parallelism);
      double directSeconds = (System.nanoTime() - t0) / 1e9;
      long directRequests = apiRequests(runtime) - requestsBefore;
      Cpu directCpu = Cpu.now().minus(cpu);

      Map<String, Double> actionsBefore = actionsByType(stack.metricsUrl());
      cpu = Cpu.now();
      t0 = System.nanoTime();
      int floorSucceeded = FloorBatch.run(client, "floor-" + tag, items, parallelism);
      double floorSeconds = (System.nanoTime() - t0) / 1e9;
      Cpu floorCpu = Cpu.now().minus(cpu);
      Map<String, Double> floorByType = since(actionsByType(stack.metricsUrl()), actionsBefore);
      double floorActions = total(floorByType);
      floorWorkers.shutdownNow();
      if (floorSucceeded != items) {
        throw new IllegalStateException("the floor batch finished " + floorSucceeded + " of " + items + " children");
      }
      int floorItemEvents = client.fetchHistory("floor-" + tag + "-0").getEvents().size();

      actionsBefore = actionsByType(stack.metricsUrl());
      requestsBefore = apiRequests(runtime);
      List<String> heap = new ArrayList<>();
      cpu = Cpu.now();
      t0 = System.nanoTime();
      String name = batches.start(BatchSpec.ofCount("bench-" + tag, ITEM, items, parallelism));
      BatchProgress done = awaitBatch(batches, name, heap);
      double batchSeconds = (System.nanoTime() - t0) / 1e9;
      Cpu batchCpu = Cpu.now().minus(cpu);
      long batchRequests = apiRequests(runtime) - requestsBefore;
      Map<String, Double> batchByType = since(actionsByType(stack.metricsUrl()), actionsBefore);
      double actions = total(batchByType);

      List<ItemResult> itemResults = batches.results(name);
      long good = itemResults.stream().filter(r -> r.succeeded() && r.tail().contains("done")).count();
      int[] largest = largestHistories(stack, name, done.chunks(), itemResults);

      report.append(String.format(Locale.ROOT, """

          ### Batch benchmark, %s runtime, %d items, parallelism %d (%s)

          Machine: %s, %d cores, %s; JVM %s, max heap %d MiB. Method: in one run, after a warm-up of
          each: the same %d commands (`%s`) run directly through the runtime object (create, watch to
          the end, read logs, delete) on %d threads; the floor, a batch of %d trivial child workflows at
          parallelism %d, each running one no-op activity, on the same dev server and a worker with
          default options; then one sandbox batch of %d items through the temporal CLI dev server
          and the in-process worker. Actions: the dev server's `action` counter (what Temporal Cloud
          bills). API requests: counted by the runtime's Kubernetes client (0 on the local runtime).
          History events per item: the longest of 20 sampled items' histories (the floor: its first
          child's). CPU: per item, from /proc, of the dev server, the benchmark's JVM (worker, runtime and client)
          and the sandboxes' processes (the JVM's reaped children; on the local runtime only), and the
          rest of the machine.

          | measure | sandbox batch | floor (Temporal alone) | direct (runtime alone) | batch ÷ floor | batch ÷ direct |
          |---|---|---|---|---|---|
          | wall time | %.1f s | %.1f s | %.1f s | %.2f | %.2f |
          | items per second | %.1f | %.1f | %.1f | %.2f | %.2f |
          | Temporal actions per item | %.1f | %.1f | - | | |
          | history events per item | %d | %d | - | | |
          | Kubernetes API requests per item | %.1f | - | %.1f | | %s |
          | CPU per item: dev server | %s | %s | %s | | |
          | CPU per item: JVM | %s | %s | %s | | |
          | CPU per item: sandboxes | %s | %s | %s | | |
          | CPU per item: rest of machine | %s | %s | %s | | |

          Actions per item by type: sandbox batch %s; floor %s.

          Outcome: %s, %d of %d succeeded with their output; %d chunks. Largest histories: batch %d events,
          chunk %d events, item %d events (continue-as-new is suggested at 4,096). Worker JVM heap in use
          after a full GC as the batch progressed: %s.
          """,
          agentImage == null || agentImage.isBlank() ? runtimeKind : runtimeKind + " (pods with the agent)",
          items, parallelism, Instant.now().toString().substring(0, 10),
          System.getProperty("os.name") + " " + System.getProperty("os.arch"),
          Runtime.getRuntime().availableProcessors(), totalMemory(), System.getProperty("java.version"),
          Runtime.getRuntime().maxMemory() >> 20, items, String.join(" ", ITEM.command()), parallelism,
          items, parallelism, items,
          batchSeconds, floorSeconds, directSeconds, batchSeconds / floorSeconds, batchSeconds / directSeconds,
          items / batchSeconds, items / floorSeconds, items / directSeconds,
          floorSeconds / batchSeconds, directSeconds / batchSeconds,
          actions / items, floorActions / items, largest[2], floorItemEvents,
          batchRequests / (double) items, directRequests / (double) items,
          directRequests == 0 ? "-" : String.format(Locale.ROOT, "%.2f", batchRequests / (double) directRequests),
          batchCpu.server(items), floorCpu.server(items), directCpu.server(items),
          batchCpu.jvm(items), floorCpu.jvm(items), directCpu.jvm(items),
          batchCpu.children(items), floorCpu.children(items), directCpu.children(items),
          batchCpu.rest(items), floorCpu.rest(items), directCpu.rest(items),
          perItem(batchByType, items), perItem(floorByType, items),
          done.state(), good, items, done.chunks(), largest[0], largest[1], largest[2], String.join(", ", heap)));
      System.out.print(report);
      Files.writeString(results, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      if (good != items) {
        throw new IllegalStateException("only " + good + " of " + items + " items succeeded with their output");
      }
    } finally {
      stack.close();
    }
    // the worker's and gRPC's threads must not keep a finished benchmark alive
    System.exit(0);
  }

  /** The same commands straight through the runtime: create, watch to the end, logs, delete. */
  static void direct(SandboxRuntime runtime, String prefix, int items, int parallelism) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < items; i++) {
        int index = i;
        futures.add(pool.submit(() -> {
          String name = prefix + "-" + index;
          SandboxSpec spec = ITEM.toBuilder().name(name).env("SANDBOX_INDEX", Integer.toString(index)).build();
          RuntimeState state = runtime.create(spec, new SandboxOwner("bench/" + name, "direct"));
          while (!state.phase().terminal()) {
            state = runtime.awaitChange(name, state.phase(), Duration.ofMinutes(5));
          }
          if (runtime.logs(name, LogRequest.lastLines(20)).lines().stream().noneMatch(l -> l.text().equals("done"))) {
            throw new IllegalStateException(name + " printed no output");
          }
          runtime.delete(name);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Waits for the batch, sampling the worker's live heap at each 10 %. */
  static BatchProgress awaitBatch(BatchClient batches, String name, List<String> heap) {
    int nextMark = 0;
    while (true) {
      var done = batches.awaitDone(name, Duration.ofSeconds(5));
      if (heap != null) {
        BatchProgress p = done.orElseGet(() -> batches.progress(name));
        int percent = p.total() == 0 ? 100 : 100 * p.done() / p.total();
        if (percent >= nextMark) {
          heap.add(percent + " %: " + (oldGenAfterGc() >> 20) + " MiB");
          nextMark = (percent / 10 + 1) * 10;
        }
      }
      if (done.isPresent()) {
        return done.get();
      }
    }
  }

  /** Live heap: used after a full collection (ten of them in a run, at the 10 % marks). */
  static long oldGenAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The batch's, its largest chunk's and its largest sampled item's history lengths. */
  static int[] largestHistories(EmbeddedStack stack, String name, int chunks, List<ItemResult> items) {
    var client = stack.client().workflowClient();
    int batch = client.fetchHistory(WorkflowIds.batchWorkflowId(name)).getEvents().size();
    int chunk = 0;
    for (int k = 0; k < chunks; k++) {
      History h = client.fetchHistory(WorkflowIds.batchChunkWorkflowId(name, k)).getHistory();
      chunk = Math.max(chunk, h.getEventsCount());
    }
    int item = 0;
    for (int i = 0; i < items.size(); i += Math.max(1, items.size() / 20)) {
      item = Math.max(item, client.fetchHistory(WorkflowIds.sandboxWorkflowId(items.get(i).sandbox())).getEvents().size());
    }
    return new int[] {batch, chunk, item};
  }

  /** The dev server's {@code action} counter for the default namespace, by its {@code action_type}. */
  static Map<String, Double> actionsByType(String metricsUrl) throws IOException, InterruptedException {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> byType = new TreeMap<>();
    Pattern type = Pattern.compile("action_type=\"([^\"]*)\"");
    for (String line : body.split("\n")) {
      if (line.startsWith("action{") && line.contains("namespace=\"default\"")) {
        Matcher m = type.matcher(line);
        byType.merge(m.find() ? m.group(1) : "?", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
      }
    }
    return byType;
  }

  static Map<String, Double> since(Map<String, Double> now, Map<String, Double> before) {
    Map<String, Double> delta = new TreeMap<>();
    now.forEach((k, v) -> {
      double d = v - before.getOrDefault(k, 0.0);
      if (d > 0) {
        delta.put(k, d);
      }
    });
    return delta;
  }

  static double total(Map<String, Double> byType) {
    return byType.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** Per item, by type: {@code "grpc_StartWorkflowExecution 1.00, ..."}. */
  static String perItem(Map<String, Double> byType, int items) {
    List<String> parts = new ArrayList<>();
    byType.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "`%s` %.2f", k, v / items)));
    return String.join(", ", parts);
  }

  /**
   * CPU time so far, in clock ticks: the whole machine's busy time, this JVM's own, its reaped
   * children's (the local runtime's sandbox processes) and the temporal CLI dev server's.
   */
  record Cpu(long machine, long jvm, long children, long server) {
    static final double TICK_MS = 10.0; // USER_HZ is 100 on Linux

    static Cpu now() {
      long[] self = procStat("self");
      long server = ProcessHandle.current().children()
          .filter(p -> p.info().command().map(c -> c.endsWith("/temporal")).orElse(false))
          .mapToLong(p -> { long[] t = procStat(Long.toString(p.pid())); return t[0] + t[1]; })
          .sum();
      return new Cpu(machineBusy(), self[0] + self[1], self[2] + self[3], server);
    }

    Cpu minus(Cpu earlier) {
      return new Cpu(machine - earlier.machine, jvm - earlier.jvm, children - earlier.children, server - earlier.server);
    }

    String server(int items) {
      return perItem(server, items);
    }

    String jvm(int items) {
      return perItem(jvm, items);
    }

    String children(int items) {
      return perItem(children, items);
    }

    String rest(int items) {
      return perItem(machine - jvm - children - server, items);
    }

    private static String perItem(long ticks, int items) {
      return String.format(Locale.ROOT, "%.1f ms", ticks * TICK_MS / items);
    }

    /** utime, stime, cutime, cstime of /proc/PID/stat (fields 14 to 17). */
    private static long[] procStat(String pid) {
      try {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state), so field n is f[n - 3]
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
      } catch (IOException | RuntimeException e) {
        return new long[4];
      }
    }

    /** All CPUs' time but idle, iowait and steal, from the first line of /proc/stat. */
    private static long machineBusy() {
      try {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length && i <= 7; i++) { // user .. softirq; not steal
          if (i != 4 && i != 5) {
            busy += Long.parseLong(f[i]);
          }
        }
        return busy;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  static long apiRequests(SandboxRuntime runtime) {
    return runtime.apiRequests();
  }

  static String totalMemory() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D+", " ").trim() + " kB";
    } catch (IOException e) {
      return "?";
    }
  }

}
