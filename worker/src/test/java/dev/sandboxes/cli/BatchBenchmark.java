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
    EmbeddedStack stack = EmbeddedStack.start(DemoCommand.freePort(), runtimeKind);
    StringBuilder report = new StringBuilder();
    try {
      SandboxRuntime runtime = stack.runtime();
      String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

      // warm-up: the first sandboxes and workflows pay for class loading and caches
      direct(runtime, "warm-" + tag, 2 * parallelism, parallelism);
      BatchClient batches = new BatchClient(stack.client().workflowClient());
      awaitBatch(batches, batches.start(BatchSpec.ofCount("warm-batch-" + tag, ITEM, 2 * parallelism, parallelism)), null);

      long requestsBefore = apiRequests(runtime);
      long t0 = System.nanoTime();
      direct(runtime, "direct-" + tag, items, parallelism);
      double directSeconds = (System.nanoTime() - t0) / 1e9;
      long directRequests = apiRequests(runtime) - requestsBefore;

      double actionsBefore = actions(stack.metricsUrl());
      requestsBefore = apiRequests(runtime);
      List<String> heap = new ArrayList<>();
      t0 = System.nanoTime();
      String name = batches.start(BatchSpec.ofCount("bench-" + tag, ITEM, items, parallelism));
      BatchProgress done = awaitBatch(batches, name, heap);
      double batchSeconds = (System.nanoTime() - t0) / 1e9;
      long batchRequests = apiRequests(runtime) - requestsBefore;
      double actions = actions(stack.metricsUrl()) - actionsBefore;

      List<ItemResult> itemResults = batches.results(name);
      long good = itemResults.stream().filter(r -> r.succeeded() && r.tail().contains("done")).count();
      int[] largest = largestHistories(stack, name, done.chunks(), itemResults);

      report.append(String.format(Locale.ROOT, """

          ### Batch benchmark, %s runtime, %d items, parallelism %d (%s)

          Machine: %s, %d cores, %s; JVM %s, max heap %d MiB. Method: one batch of %d items (`%s`) through
          the temporal CLI dev server and the in-process worker, against the same %d commands run directly
          through the same runtime object (create, watch to the end, read logs, delete) on %d threads, in
          the same run, after a warm-up of both. Actions: the dev server's `action` counter (what Temporal
          Cloud bills). API requests: counted by the runtime's Kubernetes client (0 on the local runtime).

          | measure | batch (workflows) | direct (runtime) | ratio |
          |---|---|---|---|
          | wall time | %.1f s | %.1f s | %.2f |
          | items per second | %.1f | %.1f | %.2f |
          | Temporal actions per item | %.1f | - | - |
          | Kubernetes API requests per item | %.1f | %.1f | %s |

          Outcome: %s, %d of %d succeeded with their output; %d chunks. Largest histories: batch %d events,
          chunk %d events, item %d events (continue-as-new is suggested at 4,096). Worker JVM heap in use
          after a full GC as the batch progressed: %s.
          """,
          runtimeKind, items, parallelism, Instant.now().toString().substring(0, 10),
          System.getProperty("os.name") + " " + System.getProperty("os.arch"),
          Runtime.getRuntime().availableProcessors(), totalMemory(), System.getProperty("java.version"),
          Runtime.getRuntime().maxMemory() >> 20, items, String.join(" ", ITEM.command()), items, parallelism,
          batchSeconds, directSeconds, batchSeconds / directSeconds,
          items / batchSeconds, items / directSeconds, directSeconds / batchSeconds,
          actions / items,
          batchRequests / (double) items, directRequests / (double) items,
          directRequests == 0 ? "-" : String.format(Locale.ROOT, "%.2f", batchRequests / (double) directRequests),
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

  /** Sum of the dev server's {@code action} counter for the default namespace. */
  static double actions(String metricsUrl) throws IOException, InterruptedException {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith("action{") && line.contains("namespace=\"default\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
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
