package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.worker.WorkerApplication;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The worker's sandbox metrics move as sandboxes and volumes are used: a worker (local runtime)
 * on the temporal CLI's dev server, scraped at {@code /actuator/prometheus} before and after a
 * sandbox is started, runs two execs, is terminated, a volume's file is written and a batch of
 * two runs. Also: the routine terminate is not counted as a failed watch activity, and every
 * series the Grafana dashboard in {@code deploy/grafana} queries is one the worker serves.
 */
class WorkerMetricsTest {
  private static final Path LOGS = Path.of("target", "worker-metrics");

  @Test
  void theSandboxSeriesMoveWithUseAndARoutineTerminateIsNoFailedActivity() throws Exception {
    try (DevServer server = DevServer.start(LOGS.resolve("server.log"), true, List.of())) {
      Path root = Files.createTempDirectory("worker-metrics-");
      ConfigurableApplicationContext worker = WorkerApplication.run(
          "--sandboxes.temporal.target=" + server.address(), "--sandboxes.runtime=local",
          "--sandboxes.local.root=" + root.resolve("runtime"), "--sandboxes.reaper.enabled=false",
          "--server.port=0");
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
          .setTarget(server.address()).build());
      try {
        String url = "http://127.0.0.1:" + worker.getEnvironment().getProperty("local.server.port") + "/actuator/prometheus";
        String before = scrape(url);
        assertThat(value(before, "sandbox_started_total", "")).isZero();

        WorkflowClient client = WorkflowClient.newInstance(stubs);
        SandboxClient sandboxes = new SandboxClient(client, TaskQueues.DEFAULT);
        String name = sandboxes.startAndAwaitRunning(SandboxSpec.builder("busybox:1.36").command("sleep", "300").build(),
            Duration.ofSeconds(60)).name();
        assertThat(sandboxes.exec(name, ExecRequest.of("true")).exitCode()).isZero();
        assertThat(sandboxes.exec(name, ExecRequest.of("sh", "-c", "exit 3")).exitCode()).isEqualTo(3);
        // the gauge counts it while it runs (visibility, every 15 s)
        Awaitility.await("the sandboxes gauge").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
            .until(() -> value(scrape(url), "sandboxes", "phase=\"running\"") == 1);
        assertThat(sandboxes.terminate(name, "done").phase()).isEqualTo(SandboxPhase.TERMINATED);

        VolumeClient volumes = new VolumeClient(client, TaskQueues.DEFAULT);
        volumes.create("metered", VolumeSpec.defaults());
        volumes.awaitReady("metered", Duration.ofSeconds(60));
        volumes.writeFile("metered", "/a", "x".getBytes(StandardCharsets.UTF_8));
        volumes.delete("metered");

        BatchClient batches = new BatchClient(client, TaskQueues.DEFAULT);
        batches.start(BatchSpec.ofCount("metered", SandboxSpec.builder("busybox:1.36").command("true").build(), 2, 2));
        assertThat(batches.awaitDone("metered", Duration.ofSeconds(120))).isPresent();

        Awaitility.await("the sandbox series").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
            .untilAsserted(() -> {
              String after = scrape(url);
              // the sandbox and the batch's two items
              assertThat(value(after, "sandbox_started_total", "")).isEqualTo(3);
              assertThat(value(after, "sandbox_ended_total", "phase=\"succeeded\"")).isEqualTo(2);
              assertThat(value(after, "sandbox_create_to_running_seconds_count", "")).isGreaterThanOrEqualTo(1);
              assertThat(value(after, "sandbox_execs_total", "outcome=\"exit_zero\"")).isEqualTo(1);
              assertThat(value(after, "sandbox_execs_total", "outcome=\"exit_nonzero\"")).isEqualTo(1);
              assertThat(value(after, "sandbox_exec_latency_seconds_count", "")).isEqualTo(2);
              assertThat(after).contains("sandbox_exec_latency_seconds_bucket{");
              assertThat(value(after, "sandbox_terminates_total", "outcome=\"accepted\"")).isEqualTo(1);
              assertThat(value(after, "sandbox_ended_total", "phase=\"terminated\"")).isEqualTo(1);
              assertThat(value(after, "sandbox_volume_operations_total", "operation=\"write\"")).isEqualTo(1);
              assertThat(value(after, "sandbox_volume_operations_total", "operation=\"create\"")).isEqualTo(1);
              assertThat(value(after, "sandboxes", "phase=\"running\"")).isZero();
              assertThat(value(after, "sandbox_batch_items_started_total", "")).isEqualTo(2);
              assertThat(value(after, "sandbox_batch_items_finished_total", "outcome=\"succeeded\"")).isEqualTo(2);
            });
        // every series the Grafana dashboard queries is one the worker serves (the Kubernetes
        // API's only with the Kubernetes runtime: PlatformRequestMetricsTest and the e2e suite)
        String served = scrape(url);
        java.util.Set<String> sdkMetrics = new java.util.HashSet<>();
        for (java.lang.reflect.Field f : io.temporal.worker.MetricsType.class.getFields()) {
          if (f.getType() == String.class) {
            sdkMetrics.add((String) f.get(null));
          }
        }
        assertThat(dashboardSeries()).isNotEmpty().allSatisfy(series -> {
          if (series.startsWith("temporal_")) {
            // the SDK's own, served once something happened (a failure counter only after a failure)
            assertThat(sdkMetrics).as("an SDK metric " + series).contains(series.replaceAll("_total$", ""));
          } else if (!series.startsWith("sandbox_platform_")) {
            assertThat(served).as("the dashboard's series " + series).containsPattern("(?m)^" + series + "[{ ]");
          }
        });
        // the terminated sandbox's watch learns at its next heartbeat (10 s) that its workflow
        // closed: a routine end, not a failed activity
        Thread.sleep(12_000);
        String last = scrape(url);
        assertThat(value(last, "temporal_activity_execution_failed_total", "activity_type=\"SandboxAwaitChange\""))
            .as("failed watch activities").isZero();
      } finally {
        stubs.shutdownNow();
        worker.close();
      }
    }
  }

  /** The series names the dashboard's queries use (deploy/grafana/sandboxes-dashboard.json). */
  static java.util.Set<String> dashboardSeries() throws Exception {
    com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Path.of("..", "deploy", "grafana", "sandboxes-dashboard.json").toFile());
    java.util.Set<String> names = new java.util.TreeSet<>();
    Matcher m = Pattern.compile("\\b((?:sandbox|temporal)[a-z_]*)[{\\[]").matcher("");
    for (com.fasterxml.jackson.databind.JsonNode expr : dashboard.findValues("expr")) {
      m.reset(expr.asText());
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  static String scrape(String url) throws Exception {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.body();
  }

  /** The sum of the series {@code name} whose labels contain {@code label} ("" for all); 0 when none. */
  static double value(String scraped, String name, String label) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$").matcher(scraped);
    double sum = 0;
    while (m.find()) {
      if (m.group(1) != null && !m.group(1).contains(label) || m.group(1) == null && !label.isEmpty()) {
        continue;
      }
      sum += Double.parseDouble(m.group(2));
    }
    return sum;
  }
}
