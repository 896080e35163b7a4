package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark on the rig (not a test): the cost of going through a SandboxWorkflow against the
 * same operation done directly with fabric8, measured interleaved in one run so machine noise
 * hits both alike. Reports p50/p95 and their ratios, and appends them to a results file.
 *
 * <p>Args: KUBECONFIG TEMPORAL_ADDRESS RESULTS_FILE [ITERATIONS [AGENT_IMAGE]]. Needs a worker on the
 * Kubernetes runtime behind TEMPORAL_ADDRESS (deploy/bench.sh starts everything).
 */
public final class RigBenchmark {
  /** Execs each way before the measured ones (both workers of the chart get some). */
  static final int WARM_UP = 10;

  private RigBenchmark() {}

  public static void main(String[] args) throws Exception {
    // the test classpath's logback has no configuration here: its default (DEBUG, every gRPC
    // frame) would cost the measured client time
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.INFO);
    Path kubeconfig = Path.of(args[0]);
    String address = args[1];
    Path results = Path.of(args[2]);
    int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    // the agent's image, as the chart's workers run it: the raw pods are then the same pods
    String agentImage = args.length > 4 ? args[4] : null;
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    KubernetesRuntimeOptions options = KubernetesRuntimeOptions.newBuilder().namespace("sandboxes")
        .defaultCpu("100m").defaultMemory("64Mi").agentImage(agentImage).build();
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    WorkflowClient temporal = WorkflowClient.newInstance(stubs);
    SandboxClient sandboxes = new SandboxClient(temporal);
    io.temporal.worker.WorkerFactory floorWorkers = TtiFloor.startWorker(temporal);
    // -Dbench.only=tti runs the time-to-interactive part alone (when working on that path)
    boolean ttiOnly = "tti".equals(System.getProperty("bench.only"));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      if (ttiOnly) {
        String interactive = timeToInteractive(sandboxes, temporal, client, Integer.getInteger("bench.tti", 100),
            Integer.getInteger("bench.burst", 0));
        System.out.println(interactive);
        Files.writeString(results, interactive, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return;
      }
      List<Long> rawStart = new ArrayList<>();
      List<Long> workflowStart = new ArrayList<>();
      for (int i = 0; i < iterations; i++) {
        rawStart.add(rawCreateToRunning(client, options));
        workflowStart.add(workflowCreateToRunning(sandboxes));
      }
      String idle = sandboxes.start(SandboxSpec.builder("busybox:1.36").cpu("100m").memory("64Mi").build());
      sandboxes.awaitRunning(idle, Duration.ofMinutes(2));
      // warm-up, not measured: the first execs load and compile both paths' code (the workers'
      // agent client, fabric8's exec websocket here)
      for (int i = 0; i < WARM_UP; i++) {
        rawExec(client, idle);
        workflowExec(sandboxes, idle);
      }
      List<Long> rawExec = new ArrayList<>();
      List<Long> workflowExec = new ArrayList<>();
      for (int i = 0; i < iterations * 2; i++) {
        rawExec.add(rawExec(client, idle));
        workflowExec.add(workflowExec(sandboxes, idle));
      }
      sandboxes.terminate(idle, "benchmark done");
      // each part is recorded as soon as it is measured: a later part that fails keeps the earlier
      String report = report(iterations, rawStart, workflowStart, rawExec, workflowExec);
      System.out.println(report);
      Files.writeString(results, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      if ("start".equals(System.getProperty("bench.only"))) {
        return; // -Dbench.only=start: create → running and the exec round trip alone
      }
      String streamed = streaming(sandboxes, iterations);
      System.out.println(streamed);
      Files.writeString(results, streamed, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      String interactive = timeToInteractive(sandboxes, temporal, client, 100, 0);
      System.out.println(interactive);
      Files.writeString(results, interactive, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } finally {
      floorWorkers.shutdownNow();
      stubs.shutdownNow();
    }
  }

  /**
   * Raw fabric8: create the same objects the runtime would (with the agent: its token Secret,
   * then the pod whose init container installs it), watch until the pod runs.
   */
  static long rawCreateToRunning(KubernetesClient client, KubernetesRuntimeOptions options) {
    String name = "raw-" + UUID.randomUUID().toString().substring(0, 8);
    SandboxSpec spec = SandboxSpec.builder("busybox:1.36").name(name).build();
    SandboxOwner owner = new SandboxOwner("bench/" + name, "bench");
    Pod pod = PodSpecs.pod(spec, owner, options);
    long start = System.nanoTime();
    if (options.agentEnabled()) {
      client.secrets().inNamespace("sandboxes").resource(AgentPods.secret(name, KubernetesAgents.newToken(), owner)).create();
    }
    client.pods().inNamespace("sandboxes").resource(pod).create();
    client.pods().inNamespace("sandboxes").withName(name).waitUntilCondition(
        p -> p != null && PodPhases.stateOf(p).phase() == SandboxPhase.RUNNING, 2, TimeUnit.MINUTES);
    long elapsed = System.nanoTime() - start;
    client.pods().inNamespace("sandboxes").withName(name).delete();
    client.secrets().inNamespace("sandboxes").withName(AgentPods.secretName(name)).delete();
    client.pods().inNamespace("sandboxes").withName(name)
        .waitUntilCondition(java.util.Objects::isNull, 2, TimeUnit.MINUTES);
    return elapsed;
  }

  /**
   * Through the workflow, as {@code sandbox create --wait} does it: the start and the awaitRunning
   * update in one request (update-with-start), answered when the pod runs.
   */
  static long workflowCreateToRunning(SandboxClient sandboxes) {
    long start = System.nanoTime();
    var status = sandboxes.startAndAwaitRunning(SandboxSpec.builder("busybox:1.36").cpu("100m").memory("64Mi").build(),
        Duration.ofMinutes(2));
    String name = status.name();
    SandboxPhase phase = status.phase();
    long elapsed = System.nanoTime() - start;
    if (phase != SandboxPhase.RUNNING) {
      throw new IllegalStateException(name + " is " + phase);
    }
    sandboxes.terminate(name, "benchmark");
    return elapsed;
  }

  static long rawExec(KubernetesClient client, String pod) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long start = System.nanoTime();
    try (ExecWatch watch = client.pods().inNamespace("sandboxes").withName(pod)
        .inContainer(PodSpecs.MAIN_CONTAINER)
        .writingOutput(out).writingError(err).exec("echo", "x")) {
      Integer code = watch.exitCode().get(1, TimeUnit.MINUTES);
      if (code == null || code != 0) {
        throw new IllegalStateException("raw exec exited " + code);
      }
    }
    return System.nanoTime() - start;
  }

  static long workflowExec(SandboxClient sandboxes, String name) {
    long start = System.nanoTime();
    int code = sandboxes.exec(name, ExecRequest.of("echo", "x")).exitCode();
    long elapsed = System.nanoTime() - start;
    if (code != 0) {
      throw new IllegalStateException("exec exited " + code);
    }
    return elapsed;
  }

  /**
   * What the in-sandbox agent adds (the in-cluster worker's sandboxes run it): how soon a streamed
   * line reaches the client after the command wrote it (the pod runs on this machine, so both
   * read one clock), and 100 MB through one streamed exec.
   */
  static String streaming(SandboxClient sandboxes, int iterations) {
    String py = sandboxes.start(SandboxSpec.builder("python:3.11-slim").cpu("200m").memory("128Mi").build());
    sandboxes.awaitRunning(py, Duration.ofMinutes(2));
    List<Long> firstByte = new ArrayList<>();
    for (int i = 0; i < iterations; i++) {
      long[] written = new long[2];
      sandboxes.exec(py, ExecRequest.of("python3", "-c",
          "import time; time.sleep(0.7); print(time.time_ns(), flush=True); time.sleep(0.7)"), piece -> {
            long now = System.currentTimeMillis() * 1_000_000L;
            String text = new String(piece.data(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (written[0] == 0 && !text.isEmpty()) {
              written[0] = Long.parseLong(text);
              written[1] = now;
            }
          });
      firstByte.add(written[1] - written[0]);
    }
    sandboxes.terminate(py, "benchmark done");

    String box = sandboxes.start(SandboxSpec.builder("busybox:1.36").cpu("500m").memory("128Mi").build());
    sandboxes.awaitRunning(box, Duration.ofMinutes(2));
    Runtime jvm = Runtime.getRuntime();
    System.gc();
    long heapBefore = jvm.totalMemory() - jvm.freeMemory();
    long[] received = new long[2];
    long start = System.nanoTime();
    var result = sandboxes.exec(box, ExecRequest.of("head", "-c", "100000000", "/dev/zero")
        .withTimeout(Duration.ofMinutes(10)), piece -> {
          received[0] += piece.data().length;
          received[1] = Math.max(received[1], jvm.totalMemory() - jvm.freeMemory());
        });
    double seconds = (System.nanoTime() - start) / 1e9;
    // the agent is the container's first process: its memory after carrying the 100 MB, which
    // counts against the sandbox's own limit
    String agentMemory = sandboxes.exec(box, ExecRequest.of("sh", "-c",
        "grep -E '^(VmRSS|VmHWM)' /proc/1/status | tr -s ' \\t' ' ' | tr '\\n' ';'")).stdout().trim();
    sandboxes.terminate(box, "benchmark done");
    StringBuilder md = new StringBuilder();
    md.append(String.format("%n| streamed exec (agent) | p50 | p95 |%n|---|---|---|%n"));
    md.append(String.format("| first line on the client after the command wrote it | %.0f ms | %.0f ms |%n",
        pct(firstByte, 50), pct(firstByte, 95)));
    md.append(String.format("%n100 MB (`head -c 100000000 /dev/zero`) through one streamed exec: %d bytes received"
        + " (%s), exit %d, %.1f s (%.1f MB/s); the client's heap %d MiB before, at most %d MiB while"
        + " streaming; the result keeps the first %d bytes (truncated: %s).%n",
        received[0], received[0] == 100_000_000L ? "none lost" : "LOST " + (100_000_000L - received[0]),
        result.exitCode(), seconds, received[0] / 1e6 / seconds, heapBefore >> 20, received[1] >> 20,
        result.stdout().length(), result.stdoutTruncated()));
    md.append(String.format("%nThe agent's memory in that sandbox (limit 128Mi) afterwards, from /proc/1/status: %s%n",
        agentMemory));
    return md.toString();
  }

  /** The spec of the chart's warm pool in the benchmark (deploy/e2e.sh --bench installs it). */
  static final String POOL_IMAGE = "busybox:1.36";
  /**
   * The pool's cpu: 100m for the sequential runs (a pool of 10); 25m for the burst, whose 50 pods
   * must fit the rig's 2 cores beside everything else, requests being limits. At 10m the CFS
   * quota (1 ms per 100 ms) made every agent call wait for the next period: 77-480 ms per exec
   * call measured with curl, against 1-83 ms at 30m and 2-4 ms at 50m and 100m.
   */
  static final String POOL_CPU = System.getProperty("bench.pool.cpu", "100m");
  static final String POOL_MEMORY = "16Mi";
  /** The pool's size, for the wait before the burst. */
  static final int POOL_SIZE = Integer.getInteger("bench.pool.size", 10);

  /**
   * Time to interactive: create → the first {@code echo}'s result, through the client's code
   * path (what {@code sandbox create --wait} and {@code sandbox exec} call), for sandboxes that
   * fit the chart's warm pool and, beside them, for sandboxes that start their own pod (another
   * size), sequentially, then a burst of {@code burst} at once once the pool is full again.
   * Interleaved with the warm runs, Temporal's own floor for the same steps ({@link TtiFloor}),
   * its worker in this process.
   */
  static String timeToInteractive(SandboxClient sandboxes, WorkflowClient temporal, KubernetesClient kubernetes,
      int sequential, int burst)
      throws Exception {
    SandboxSpec warm = SandboxSpec.builder(POOL_IMAGE).cpu(POOL_CPU).memory(POOL_MEMORY).build();
    SandboxSpec cold = SandboxSpec.builder(POOL_IMAGE).cpu(System.getProperty("bench.cold.cpu", "110m"))
        .memory(POOL_MEMORY).build();
    interactive(sandboxes, warm, "warm"); // warm-up: class loading on both sides
    java.util.Map<TtiFloor.Shape, List<Long>> floors = new java.util.EnumMap<>(TtiFloor.Shape.class);
    for (TtiFloor.Shape shape : TtiFloor.Shape.values()) {
      for (int i = 0; i < 5; i++) {
        TtiFloor.interactive(temporal, shape);
      }
      floors.put(shape, new ArrayList<>());
    }
    STAGES.clear();
    List<Long> warmTimes = new ArrayList<>();
    List<Long> coldTimes = new ArrayList<>();
    for (int i = 0; i < sequential; i++) {
      warmTimes.add(interactive(sandboxes, warm, "warm"));
      for (TtiFloor.Shape shape : TtiFloor.Shape.values()) {
        floors.get(shape).add(TtiFloor.interactive(temporal, shape));
      }
      if (i % 5 == 0) {
        coldTimes.add(interactive(sandboxes, cold, "cold"));
      }
    }
    List<Long> burstWarm = new ArrayList<>();
    List<Long> burstFloor = new ArrayList<>();
    if (burst > 0) {
      poolFull(kubernetes);
      java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(burst);
      // Temporal's floor for the same burst, just before it: its workflows alone, as many at once
      // (after the sandboxes' burst the node is busy for a while refilling the pool)
      List<java.util.concurrent.Future<Long>> floorTimes = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        floorTimes.add(threads.submit(() -> TtiFloor.interactive(temporal, TtiFloor.Shape.ACTIVITIES)));
      }
      for (var f : floorTimes) {
        burstFloor.add(f.get(5, TimeUnit.MINUTES));
      }
      List<java.util.concurrent.Future<Long>> burstTimes = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        burstTimes.add(threads.submit(() -> interactive(sandboxes, warm, "burst")));
      }
      try {
        for (var f : burstTimes) {
          burstWarm.add(f.get(5, TimeUnit.MINUTES));
        }
      } finally {
        threads.shutdownNow();
      }
    }
    StringBuilder md = new StringBuilder();
    md.append(String.format("%n| time to interactive (create → first `echo` result, client code path) | n | p50 | p95 | p99 |%n"
        + "|---|---|---|---|---|%n"));
    for (var row : List.of(java.util.Map.entry("warm pool, sequential", warmTimes),
        java.util.Map.entry("own pod (cold), sequential, beside them", coldTimes),
        java.util.Map.entry("warm pool, " + burst + " at once", burstWarm),
        java.util.Map.entry("floor: " + burst + " at once, each step one no-op activity", burstFloor),
        java.util.Map.entry("floor: the same two steps, each one no-op activity", floors.getOrDefault(TtiFloor.Shape.ACTIVITIES, List.of())),
        java.util.Map.entry("floor: each one no-op local activity", floors.getOrDefault(TtiFloor.Shape.LOCAL_ACTIVITIES, List.of())),
        java.util.Map.entry("floor: no call (workflow tasks and round trips alone)", floors.getOrDefault(TtiFloor.Shape.NO_CALLS, List.of())))) {
      if (row.getValue().isEmpty()) {
        continue;
      }
      md.append(String.format("| %s | %d | %.0f ms | %.0f ms | %.0f ms |%n", row.getKey(), row.getValue().size(),
          pct(row.getValue(), 50), pct(row.getValue(), 95), pct(row.getValue(), 99)));
    }
    md.append(String.format("%n| its stages | n | p50 | p95 |%n|---|---|---|---|%n"));
    new java.util.TreeMap<>(STAGES).forEach((what, times) -> md.append(String.format("| %s | %d | %.0f ms | %.0f ms |%n",
        what, times.size(), pct(times, 50), pct(times, 95))));
    return md.toString();
  }

  /**
   * Waits (on a watch) until the pool has {@link #POOL_SIZE} ready idle pods of {@link #POOL_CPU},
   * at most 5 minutes: pods of the pool's earlier definition, not yet replaced, do not count.
   */
  static void poolFull(KubernetesClient kubernetes) throws Exception {
    io.fabric8.kubernetes.api.model.Quantity cpu = new io.fabric8.kubernetes.api.model.Quantity(POOL_CPU);
    kubernetes.pods().inNamespace("sandboxes").withLabel(Labels.POOL, "bench").withLabel(Labels.POOL_STATE, Labels.POOL_IDLE)
        .informOnCondition(pods -> pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null
            && PodPhases.stateOf(p).phase() == SandboxPhase.RUNNING
            && cpu.equals(p.getSpec().getContainers().get(0).getResources().getLimits().get("cpu"))).count() >= POOL_SIZE)
        .get(5, TimeUnit.MINUTES);
  }

  /** Where each kind's time to interactive goes: start → running, then the exec (nanoseconds, one entry per run). */
  static final java.util.concurrent.ConcurrentHashMap<String, List<Long>> STAGES = new java.util.concurrent.ConcurrentHashMap<>();

  /** One sandbox: start, wait until it runs, exec {@code echo x}; the time to the exec's result. Terminated after. */
  static long interactive(SandboxClient sandboxes, SandboxSpec spec, String kind) {
    long start = System.nanoTime();
    // as `sandbox create --wait` does it: the start and the wait in one request
    var status = sandboxes.startAndAwaitRunning(spec, Duration.ofMinutes(2));
    String name = status.name();
    SandboxPhase phase = status.phase();
    long running = System.nanoTime();
    if (phase != SandboxPhase.RUNNING) {
      throw new IllegalStateException(name + " is " + phase);
    }
    String out = sandboxes.exec(name, ExecRequest.of("echo", "x")).stdout();
    long end = System.nanoTime();
    if (!out.equals("x\n")) {
      throw new IllegalStateException(name + " answered " + out);
    }
    stage(kind + " start → running", running - start);
    stage(kind + " exec", end - running);
    sandboxes.terminate(name, "benchmark");
    return end - start;
  }

  private static void stage(String what, long nanos) {
    STAGES.computeIfAbsent(what, k -> Collections.synchronizedList(new ArrayList<>())).add(nanos);
  }

  static String report(int n, List<Long> rawStart, List<Long> wfStart, List<Long> rawExec, List<Long> wfExec)
      throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("\n## ").append(Instant.now()).append(" — ").append(n).append(" starts, ")
        .append(rawExec.size()).append(" execs each way after ").append(WARM_UP)
        .append(" unmeasured, interleaved\n\n");
    md.append("| measure | raw fabric8 p50 | p95 | through SandboxWorkflow p50 | p95 | ratio p50 | ratio p95 |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    row(md, "pod create → running", rawStart, wfStart);
    row(md, "exec round trip (`echo x`)", rawExec, wfExec);
    return md.toString();
  }

  private static void row(StringBuilder md, String what, List<Long> raw, List<Long> wf) {
    double r50 = pct(raw, 50), r95 = pct(raw, 95), w50 = pct(wf, 50), w95 = pct(wf, 95);
    md.append(String.format("| %s | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.2f | %.2f |%n",
        what, r50, r95, w50, w95, w50 / r50, w95 / r95));
  }

  static double pct(List<Long> nanos, int p) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index)) / 1_000_000.0;
  }
}
