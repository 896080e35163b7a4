package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.runtime.kubernetes.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A flaky API server: the worker reaches Kubernetes only through deploy/faultproxy, which resets
 * connections (before forwarding, and after it so that the answer is lost), delays requests and
 * answers 429 (Retry-After: 1), 500 and 503 for a fraction of them. Through it, a 100-item batch
 * and exec and logs on idle sandboxes must all end correctly or with a typed error, no pod may
 * be created twice, nothing may be left behind, and no 429 may be retried before its
 * Retry-After. The cluster is observed directly (admin kubeconfig, no proxy).
 *
 * <p>Its own worker process ({@code sandbox-worker.jar worker}, Kubernetes runtime, the worker's
 * least-privilege token, the proxy as server) on a task queue of its own; the rig's Temporal
 * server. e2e profile only; fails, never skips, without the rig or the proxy binary.
 */
class FaultInjectionClusterTest {
  static final int ITEMS = 100;
  static final int IDLE = 3;
  static final int EXECS_PER_SANDBOX = 10;
  static final int LOGS_PER_SANDBOX = 5;
  /** The faults: the kinds and rates of issue 10, plus answers lost after the API server acted. */
  static final List<String> FAULTS = List.of("-seed", "10", "-429", "0.10", "-retry-after", "1s",
      "-500", "0.05", "-503", "0.05", "-reset", "0.03", "-lost", "0.02",
      "-delay", "0.05", "-delay-min", "500ms", "-delay-max", "2s");
  static final String TAG = "faults";

  static final String run = UUID.randomUUID().toString().substring(0, 6);
  static final Path dir = Path.of("target", "faults-" + run).toAbsolutePath();
  static Process proxy;
  static Process worker;
  static URI admin;
  static WorkflowServiceStubs stubs;
  static KubernetesClient cluster;
  static Watch podWatch;
  /** Every pod of this run the cluster saw: name → UIDs (a twin has a second UID). */
  static final Map<String, Set<String>> podUids = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    String address = required("sandboxes.cli.address");
    Path workerKubeconfig = Path.of(required("sandboxes.e2e.kubeconfig"));
    Path adminKubeconfig = Path.of(required("sandboxes.e2e.adminKubeconfig"));
    Path proxyBinary = Path.of(required("sandboxes.e2e.faultproxy"));
    Path jar = Rig.workerJar().toAbsolutePath();
    for (Path p : List.of(workerKubeconfig, adminKubeconfig, proxyBinary, jar)) {
      if (!Files.isRegularFile(p)) {
        fail(p + " is missing; run deploy/e2e.sh (it builds the proxy and the worker jar)");
      }
    }
    Files.createDirectories(dir);

    cluster = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(adminKubeconfig))).build();
    podWatch = cluster.pods().inNamespace("sandboxes").withLabel(Labels.TAG_PREFIX + TAG, run)
        .watch(new Watcher<Pod>() {
          @Override
          public void eventReceived(Action action, Pod pod) {
            podUids.computeIfAbsent(pod.getMetadata().getName(), n -> ConcurrentHashMap.newKeySet())
                .add(pod.getMetadata().getUid());
          }

          @Override
          public void onClose(WatcherException cause) {
            System.out.println("pod watch closed: " + cause);
          }
        });

    Path cert = dir.resolve("proxy-ca.crt");
    List<String> command = new ArrayList<>(List.of(proxyBinary.toString(), "-cert-out", cert.toString()));
    command.addAll(FAULTS);
    proxy = new ProcessBuilder(command).redirectOutput(dir.resolve("proxy.out").toFile())
        .redirectError(dir.resolve("proxy.log").toFile()).start();
    String ready = awaitLine(proxy, dir.resolve("proxy.out"), "ready ", Duration.ofSeconds(20));
    JsonNode addresses = new ObjectMapper().readTree(ready.substring("ready ".length()));
    admin = URI.create(addresses.get("admin").asText() + "/__faults");

    Path kubeconfig = dir.resolve("worker-via-proxy.kubeconfig");
    Files.writeString(kubeconfig, throughProxy(Files.readString(workerKubeconfig),
        addresses.get("proxy").asText(), cert));
    ProcessBuilder workerCommand = new ProcessBuilder(
        ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString(), "worker",
        "--sandboxes.temporal.target=" + address, "--sandboxes.task-queue=" + queue(),
        "--sandboxes.runtime=kubernetes", "--server.port=0")
        .redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile());
    workerCommand.environment().put("KUBECONFIG", kubeconfig.toString());
    worker = workerCommand.start();
    awaitLine(worker, dir.resolve("worker.log"), "Sandbox worker polling", Duration.ofSeconds(90));

    stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : new Process[] {worker, proxy}) {
      if (p != null) {
        p.destroy(); // SIGTERM: the proxy logs its final counters
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    if (podWatch != null) {
      podWatch.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
    System.out.println("logs of this run: " + dir);
  }

  static String queue() {
    return "faults-" + run;
  }

  @Test
  void everyOperationEndsCorrectlyOrWithATypedErrorThroughAFlakyApiServer() throws Exception {
    long t0 = System.nanoTime();
    WorkflowClient temporal = WorkflowClient.newInstance(stubs);
    SandboxClient sandboxes = new SandboxClient(temporal, queue());
    BatchClient batches = new BatchClient(temporal, queue());

    List<String> idle = new ArrayList<>();
    for (int i = 0; i < IDLE; i++) {
      String name = "faults-" + run + "-idle-" + i;
      idle.add(sandboxes.start(SandboxSpec.builder("busybox:1.36").name(name).tags(Map.of(TAG, run))
          .command("sh", "-c", "echo ready " + name + "; exec sleep 3600").cpu("10m").memory("16Mi").build()));
    }
    SandboxSpec item = SandboxSpec.builder("busybox:1.36").tags(Map.of(TAG, run))
        .command("sh", "-c", "echo square $((SANDBOX_INDEX * SANDBOX_INDEX))").cpu("10m").memory("16Mi").build();
    String batch = batches.start(BatchSpec.ofCount("faults-" + run, item, ITEMS, 20));

    // exec and logs on the idle sandboxes while the batch runs
    AtomicInteger execOk = new AtomicInteger();
    AtomicInteger logsOk = new AtomicInteger();
    List<String> typedErrors = new CopyOnWriteArrayList<>();
    List<String> wrong = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(IDLE);
    BatchProgress done;
    List<ItemResult> results;
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (String name : idle) {
        calls.add(pool.submit(() -> useIdle(sandboxes, name, execOk, logsOk, typedErrors, wrong)));
      }
      for (Future<?> call : calls) {
        call.get();
      }
      done = batches.awaitDone(batch, Duration.ofMinutes(4)).orElse(null);
      results = done == null ? List.of() : batches.results(batch);
    } finally {
      pool.shutdownNow();
      // together: each waits out its pod's 30 s grace period (`sleep` as the pod's first process
      // ignores SIGTERM), which one after the other took 1.5 of the run's 5 minutes
      ExecutorService terminates = Executors.newFixedThreadPool(IDLE);
      try {
        List<Future<?>> terminated = new ArrayList<>();
        for (String name : idle) {
          terminated.add(terminates.submit(() -> {
            try {
              SandboxPhase phase = sandboxes.terminate(name, "test over").phase();
              if (phase != SandboxPhase.TERMINATED) {
                wrong.add(name + " is " + phase + " after terminate");
              }
            } catch (SandboxException e) {
              wrong.add("terminate " + name + ": " + e.type() + ": " + e.getMessage());
            }
          }));
        }
        for (Future<?> t : terminated) {
          t.get();
        }
      } finally {
        terminates.shutdownNow();
      }
    }
    if (done == null) {
      batches.cancel(batch); // its sandboxes clean up; the assertions below say what went wrong
    }
    double seconds = (System.nanoTime() - t0) / 1e9;

    long leftPods = awaitNoPods(Duration.ofSeconds(90));
    Set<String> names = Set.copyOf(podUids.keySet());
    List<String> leftPolicies = cluster.network().v1().networkPolicies().inNamespace("sandboxes")
        .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems().stream()
        // a warm pool's policy carries no sandbox label
        .map(np -> np.getMetadata().getLabels().get(Labels.SANDBOX)).filter(java.util.Objects::nonNull)
        .filter(names::contains).toList();
    List<String> twins = podUids.entrySet().stream().filter(e -> e.getValue().size() > 1)
        .map(Map.Entry::getKey).toList();
    JsonNode faults = counters();
    List<String> tooSoon = Files.readAllLines(dir.resolve("proxy.log")).stream()
        .filter(l -> l.contains("retry too soon:")).map(l -> l.substring(l.indexOf("retry too soon:"))).toList();

    System.out.printf("API faults: %d-item batch (parallelism 20) + %d idle sandboxes (%d execs, %d log reads) "
            + "in %.0f s; batch %s; execs ok %d, logs ok %d, typed errors %d %s, wrong %s; pods seen %d, twins %s, "
            + "pods left %d, network policies left %s; proxy %s; too soon %s%n",
        ITEMS, IDLE, IDLE * EXECS_PER_SANDBOX, IDLE * LOGS_PER_SANDBOX, seconds, done, execOk.get(),
        logsOk.get(), typedErrors.size(), typedErrors, wrong, names.size(), twins, leftPods, leftPolicies, faults, tooSoon);

    assertThat(wrong).as("wrong answers").isEmpty();
    assertThat(done).as("the batch finished in 4 minutes").isNotNull();
    assertThat(done.state()).isEqualTo(BatchProgress.SUCCEEDED);
    assertThat(results).hasSize(ITEMS);
    for (ItemResult r : results) {
      assertThat(r.tail()).as("output of item %d", r.index()).containsExactly("square " + ((long) r.index() * r.index()));
    }
    // a typed error is allowed, an untyped one or a wrong answer is not; and the typed ones are
    // the retryable kind a flaky platform causes
    assertThat(typedErrors).allMatch(e -> e.contains(SandboxErrors.RUNTIME_UNAVAILABLE), "only unavailability");
    assertThat(execOk.get() + typedErrors.stream().filter(e -> e.startsWith("exec")).count())
        .isEqualTo(IDLE * EXECS_PER_SANDBOX);
    assertThat(execOk.get()).as("execs that succeeded").isPositive();
    assertThat(logsOk.get()).as("log reads that succeeded").isPositive();
    assertThat(names).as("one pod per item and per idle sandbox").hasSize(ITEMS + IDLE);
    assertThat(twins).as("pod names created twice").isEmpty();
    assertThat(leftPods).as("pods left").isZero();
    assertThat(leftPolicies).as("network policies left").isEmpty();
    for (String kind : List.of("reset", "lost", "429", "500", "503", "delay")) {
      assertThat(faults.path("faults").path(kind).asLong()).as("%s faults injected", kind).isPositive();
    }
    JsonNode retryAfter = faults.path("retry_after");
    assertThat(retryAfter.path("followed").asLong()).as("429s followed by a retry").isPositive();
    // The proxy takes the next identical request as the retry. One kind of request comes again
    // without being a retry: fabric8 starts every exec (kubelet exec) with a ready check of zero
    // timeout (PodOperationUtil.waitUntilReadyOrTerminal), an informer that lists the pod by
    // field selector and is abandoned at once, whatever the answer; the next exec sends the same
    // list anew. Any other request back before its Retry-After fails the test.
    assertThat(tooSoon).as("lines for the retries the proxy counted too soon")
        .hasSize(retryAfter.path("too_soon").asInt());
    assertThat(tooSoon).as("requests back before Retry-After")
        .allMatch(l -> l.matches("retry too soon: GET /api/v1/namespaces/sandboxes/pods\\?fieldSelector=metadata\\.name%3D[a-z0-9-]+ .*"));
    assertThat(seconds).as("wall time").isLessThan(300);
  }

  /**
   * Waits until {@code name} runs, then execs and reads its log over and over: a right answer or
   * a typed error is counted, anything else is {@code wrong}.
   */
  static Void useIdle(SandboxClient sandboxes, String name, AtomicInteger execOk, AtomicInteger logsOk,
      List<String> typedErrors, List<String> wrong) {
    SandboxPhase phase = sandboxes.awaitRunning(name, Duration.ofMinutes(3)).phase();
    if (phase != SandboxPhase.RUNNING) {
      wrong.add(name + " is " + phase + ", not running: " + sandboxes.describe(name));
      return null;
    }
    for (int i = 0; i < EXECS_PER_SANDBOX; i++) {
      String expected = "exit " + (i % 4) + ", out-" + i + "\n, err-" + i + "\n";
      try {
        ExecResult r = sandboxes.exec(name, ExecRequest.of("sh", "-c",
            "echo out-" + i + "; echo err-" + i + " >&2; exit " + (i % 4)));
        String got = "exit " + r.exitCode() + ", " + r.stdout() + ", " + r.stderr();
        if (got.equals(expected)) {
          execOk.incrementAndGet();
        } else {
          wrong.add("exec " + i + " in " + name + ": " + got + " instead of " + expected);
        }
      } catch (SandboxException e) {
        typedErrors.add("exec " + name + ": " + e.type() + ": " + e.getMessage());
      }
      if (i % (EXECS_PER_SANDBOX / LOGS_PER_SANDBOX) == 0) {
        try {
          List<String> lines = sandboxes.logs(name, LogRequest.lastLines(10)).lines().stream()
              .map(LogLine::text).toList();
          if (lines.equals(List.of("ready " + name))) {
            logsOk.incrementAndGet();
          } else {
            wrong.add("log of " + name + ": " + lines);
          }
        } catch (SandboxException e) {
          typedErrors.add("logs " + name + ": " + e.type() + ": " + e.getMessage());
        }
      }
    }
    return null;
  }

  /** The worker's kubeconfig with the proxy as server and the proxy's certificate as authority. */
  static String throughProxy(String kubeconfig, String proxyUrl, Path cert) {
    String out = replaceOnce(kubeconfig, "(?m)^(\\s*server:\\s*).*$", proxyUrl);
    return replaceOnce(out, "(?m)^(\\s*certificate-authority:\\s*).*$", cert.toString());
  }

  static String replaceOnce(String text, String regex, String value) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      fail("the worker kubeconfig has no line matching " + regex);
    }
    String replaced = m.replaceFirst("$1" + Matcher.quoteReplacement(value));
    if (Pattern.compile(regex).matcher(replaced).results().count() != 1) {
      fail("the worker kubeconfig has more than one line matching " + regex);
    }
    return replaced;
  }

  /** Pods of this run still in the cluster once they are all gone, or when {@code limit} ran out. */
  static long awaitNoPods(Duration limit) throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (true) {
      long left = cluster.pods().inNamespace("sandboxes").withLabel(Labels.TAG_PREFIX + TAG, run)
          .list().getItems().size();
      if (left == 0 || Instant.now().isAfter(deadline)) {
        return left;
      }
      Thread.sleep(1000);
    }
  }

  static JsonNode counters() throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(admin).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body());
  }

  /** The first line of {@code file} holding {@code prefix}, from there on; fails if the process dies first. */
  static String awaitLine(Process process, Path file, String prefix, Duration limit) throws Exception {
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          int at = line.indexOf(prefix);
          if (at >= 0) {
            return line.substring(at);
          }
        }
      }
      if (!process.isAlive()) {
        fail(process.info().command().orElse("process") + " exited with " + process.exitValue()
            + "; see " + dir);
      }
      Thread.sleep(100);
    }
    return fail("no line with '" + prefix + "' in " + file + " after " + limit);
  }

  static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank() || value.startsWith("${")) {
      fail("the e2e suite needs -D" + property + "; run deploy/e2e.sh");
    }
    return value;
  }
}
