package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.model.VolumeStatus;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.worker.WorkerDeployments;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowTaskFailedCause;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.WorkflowExecutionVersioningInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling upgrade on the rig with work in flight, the way Temporal documents the move from
 * unversioned workers to a Worker Deployment. Version A of the worker is the build in
 * {@code deploy/upgrade-from} (built by {@code deploy/release-worker.sh}): an unversioned worker
 * from before the recorded-history corpus, the changes behind {@code getVersion} and Worker
 * Versioning. It runs idle sandboxes, a batch and volumes with files. Version B (this build)
 * starts as a version of a Worker Deployment and becomes current: from then on the server gives
 * every task of A's workflows to B, whose code replays the histories A wrote. Once the batch is
 * done, A stops with SIGTERM. Then every idle sandbox serves exec and logs and terminates through
 * B's cleanup path, the batch has every result, the volumes keep their files, no workflow task
 * failed for non-determinism in any history of the test, and nothing is left on the cluster.
 * e2e profile only; fails, never skips, without the rig or version A's jar.
 */
class RollingUpgradeClusterTest {
  static final int SANDBOXES = 20;
  static final int ITEMS = 200;
  static final int VOLUMES = 3;
  static final Path LOGS = Path.of(System.getProperty("basedir", "."), "target", "upgrade-tests");

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void versionedBTakesOverSandboxesABatchAndVolumesFromUnversionedA() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 6);
    String queue = "upgrade-" + id;
    String prefix = "upg-" + id;
    String batch = prefix + "-b";
    WorkerDeploymentVersion b = new WorkerDeploymentVersion(queue, "b-" + id);
    Path log = LOGS.resolve(queue + "-workers.log");
    String address = Rig.temporalAddress();
    Path kubeconfig = Path.of(Rig.kubeconfig());
    WorkflowServiceStubs stubs = Rig.temporal();
    WorkflowClient client = WorkflowClient.newInstance(stubs);
    SandboxClient sandboxes = new SandboxClient(client, queue);
    VolumeClient volumes = new VolumeClient(client, queue);
    BatchClient batches = new BatchClient(client, queue);
    WorkerDeployments deployments = new WorkerDeployments(stubs, client.getOptions().getNamespace());
    List<String> idle = IntStream.range(0, SANDBOXES).mapToObj(i -> prefix + "-s" + i).toList();
    List<String> vols = IntStream.range(0, VOLUMES).mapToObj(i -> prefix + "-v" + i).toList();
    Map<String, Double> seconds = new TreeMap<>();

    WorkerProcess workerA = WorkerProcess.start(previousWorkerJar(), address, queue, kubeconfig, log, List.of());
    WorkerProcess workerB = null;
    try (KubernetesClient admin = Rig.admin(); PodHistory pods = PodHistory.record(admin, prefix);
        PodHistory batchPods = PodHistory.record(admin, batch + "-")) {
      workerA.awaitPolling(Duration.ofMinutes(2));

      // on version A: volumes with a file each, idle sandboxes (three of them mounting the
      // volumes) that served an exec, and a batch under way
      for (String v : vols) {
        volumes.create(v, VolumeSpec.defaults());
      }
      for (String v : vols) {
        assertThat(volumes.awaitReady(v, Duration.ofMinutes(2)).phase()).as("volume %s", v).isEqualTo(VolumeState.READY);
        volumes.writeFile(v, "/kept/" + v + ".txt", ("written on A to " + v).getBytes(StandardCharsets.UTF_8));
      }
      for (int i = 0; i < SANDBOXES; i++) {
        SandboxSpec.Builder spec = SandboxSpec.builder("busybox:1.36").name(idle.get(i)).cpu("10m").memory("16Mi");
        if (i < VOLUMES) {
          spec.volume("/data", vols.get(i));
        }
        sandboxes.start(spec.build());
      }
      for (String s : idle) {
        assertThat(sandboxes.awaitRunning(s, Duration.ofMinutes(3)).phase()).as("sandbox %s", s).isEqualTo(SandboxPhase.RUNNING);
        assertThat(sandboxes.exec(s, ExecRequest.of("sh", "-c", "echo before $HOSTNAME")).exitCode()).isZero();
      }
      long t0 = System.nanoTime();
      batches.start(SquareBatch.of(batch, ITEMS));
      awaitProgress(batches, batch, p -> p.succeeded() >= 20, "20 items of the batch done on A");
      BatchProgress atUpgrade = batches.progress(batch);

      // version B starts as a version of a Worker Deployment and becomes current: the server
      // moves each of A's unversioned workflows to B at its next workflow task
      long upgrade = System.nanoTime();
      workerB = WorkerProcess.start(Rig.workerJar(), address, queue, kubeconfig, log, versioned(b));
      // 12 s on a quiet machine; once 130 s (Spring alone 98 s) with A, its sandboxes and the rig
      // under a load average of 17 on two cores: the bound is for a worker that never polls
      workerB.awaitPolling(Duration.ofMinutes(5));
      awaitCurrent(deployments, b);
      seconds.put("B current after start", (System.nanoTime() - upgrade) / 1e9);
      BatchProgress done = batches.awaitDone(batch, Duration.ofMinutes(10)).orElseThrow(
          () -> new AssertionError("the batch did not finish in 10 minutes: " + batches.progress(batch)));
      seconds.put("batch", (System.nanoTime() - t0) / 1e9);
      List<ItemResult> results = batches.results(batch);
      WorkflowExecutionVersioningInfo batchVersioning = versioning(stubs, WorkflowIds.batchWorkflowId(batch));
      // A keeps running through the move, as the migration guide says; it stops once the batch is done
      long stop = System.nanoTime();
      workerA.stop();
      seconds.put("A stopped (SIGTERM to exit)", (System.nanoTime() - stop) / 1e9);
      int exitA = workerA.exitValue();

      // on version B alone: the idle sandboxes serve exec and logs, and terminate
      long after = System.nanoTime();
      for (String s : idle) {
        ExecResult exec = sandboxes.exec(s, ExecRequest.of("sh", "-c", "echo after; ls /data 2>/dev/null || true"));
        assertThat(exec.exitCode()).as("exec in %s on B", s).isZero();
        assertThat(exec.stdout()).as("exec in %s on B", s).startsWith("after\n");
      }
      seconds.put("20 execs on B (first after A stopped)", (System.nanoTime() - after) / 1e9);
      for (String s : idle) {
        assertThat(versioning(stubs, WorkflowIds.sandboxWorkflowId(s)).getDeploymentVersion().getBuildId())
            .as("the version sandbox %s runs on", s).isEqualTo(b.getBuildId());
        sandboxes.logs(s, LogRequest.lastLines(10));
        assertThat(sandboxes.terminate(s, "upgrade test over").phase()).as("sandbox %s", s).isEqualTo(SandboxPhase.TERMINATED);
      }
      for (String v : vols) {
        byte[] kept = volumes.readFile(v, "/kept/" + v + ".txt", 0, 1024).data();
        assertThat(new String(kept, StandardCharsets.UTF_8)).as("file of volume %s", v).isEqualTo("written on A to " + v);
        assertThat(volumes.delete(v).phase()).as("volume %s", v).isEqualTo(VolumeStatus.DELETED);
      }

      SquareBatch.assertEveryItemOnce(done, results, ITEMS);
      SquareBatch.assertOnePodPerAttempt(results, batchPods);

      Map<String, List<String>> histories = histories(client, stubs, queue);
      List<String> nonDeterministic = new ArrayList<>();
      List<String> taskFailures = new ArrayList<>();
      histories.forEach((workflow, failures) -> failures.forEach(f -> {
        taskFailures.add(workflow + ": " + f);
        if (f.contains("NON_DETERMINISTIC")) {
          nonDeterministic.add(workflow + ": " + f);
        }
      }));
      List<String> cleanups = idle.stream().map(s -> cleanupPath(client, s)).distinct().toList();

      pods.await("every pod of the test deleted", Duration.ofMinutes(2), p -> p.live().isEmpty());
      PodHistory.Leftovers leftovers = PodHistory.Leftovers.of(admin, prefix);
      System.out.printf("rolling upgrade unversioned A (%s) → %s: batch at upgrade %s, done %s; seconds %s; "
              + "the batch's versioning at its end: %s; A's exit code %d; %d histories read, workflow task failures %s; "
              + "idle sandboxes' cleanup %s; leftovers %s; workers' log %s%n",
          previousWorkerJar().getFileName(), b.getBuildId(), atUpgrade, done, seconds,
          batchVersioning.toString().replace('\n', ' '), exitA, histories.size(),
          taskFailures, cleanups, leftovers, log);

      assertThat(histories).as("histories of the test's workflows")
          .hasSizeGreaterThanOrEqualTo(SANDBOXES + VOLUMES + ITEMS + 2);
      assertThat(nonDeterministic).as("workflow tasks failed for non-determinism").isEmpty();
      // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited (a SIGKILL would read 137)
      assertThat(exitA).as("version A's exit code after SIGTERM").isEqualTo(143);
      assertThat(workerA.printed(WorkerProcess.STOPPING)).as("version A logged its graceful stop").isTrue();
      assertThat(batchVersioning.getDeploymentVersion().getBuildId())
          .as("the version that finished the batch A started").isEqualTo(b.getBuildId());
      assertThat(batchVersioning.getBehavior().name())
          .as("the batch's versioning behaviour once B ran it").isEqualTo("VERSIONING_BEHAVIOR_PINNED");
      // A started them (its cleanup: logs, then delete); B ended them on its own path, one activity
      assertThat(cleanups).as("activities that cleaned up the idle sandboxes").containsExactly("SandboxCaptureAndDelete");
      assertThat(leftovers.total()).as("objects left of %s: %s", prefix, leftovers).isZero();
    } finally {
      for (String s : idle) {
        SquareBatch.closeForGood(client, WorkflowIds.sandboxWorkflowId(s));
      }
      for (String v : vols) {
        SquareBatch.closeForGood(client, WorkflowIds.volumeWorkflowId(v));
      }
      SquareBatch.closeForGood(client, WorkflowIds.batchWorkflowId(batch));
      workerA.close();
      if (workerB != null) {
        workerB.close();
      }
      stubs.shutdownNow();
    }
  }

  /** Version A's jar, built by deploy/release-worker.sh from the commit in deploy/upgrade-from. */
  static Path previousWorkerJar() {
    String jar = System.getProperty("sandboxes.e2e.previousWorkerJar");
    if (jar == null || jar.isBlank() || jar.startsWith("${") || !Files.isRegularFile(Path.of(jar))) {
      fail("the upgrade test needs version A's worker: -Dsandboxes.e2e.previousWorkerJar=" + jar
          + " names no file; run deploy/e2e.sh");
    }
    return Path.of(jar);
  }

  static List<String> versioned(WorkerDeploymentVersion version) {
    return List.of("--sandboxes.versioning.enabled=true",
        "--sandboxes.versioning.deployment-name=" + version.getDeploymentName(),
        "--sandboxes.versioning.build-id=" + version.getBuildId(),
        "--sandboxes.versioning.set-current=true");
  }

  /** B makes itself current once it polls (set-current); this waits for the server to say so. */
  static void awaitCurrent(WorkerDeployments deployments, WorkerDeploymentVersion version) {
    Awaitility.await("version " + version + " current").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(currentVersion(deployments, version.getDeploymentName()))
            .as("the deployment's current version").isEqualTo(Optional.of(version)));
  }

  /**
   * The deployment's current version, or the answer of its server-side workflow while that is
   * busy ({@code RESOURCE_EXHAUSTED}: not yet).
   */
  static Object currentVersion(WorkerDeployments deployments, String deployment) {
    try {
      return deployments.currentVersion(deployment);
    } catch (io.grpc.StatusRuntimeException e) {
      if (!WorkerDeployments.retriedWhileSettingCurrent(e.getStatus().getCode())) {
        throw e;
      }
      return e.getStatus().toString();
    }
  }

  static void awaitProgress(BatchClient batches, String batch, Predicate<BatchProgress> condition, String what) {
    Awaitility.await(what).atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(batches.progress(batch)).as(what).matches(condition));
  }

  static WorkflowExecutionVersioningInfo versioning(WorkflowServiceStubs stubs, String workflowId) {
    return stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace("default").setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId)).build())
        .getWorkflowExecutionInfo().getVersioningInfo();
  }

  /**
   * Every run of every workflow on the test's task queue (sandboxes, volumes, the batch, its
   * chunks and items), with the workflow task failures in its history.
   */
  static Map<String, List<String>> histories(WorkflowClient client, WorkflowServiceStubs stubs, String queue) {
    Map<String, List<String>> failures = new TreeMap<>();
    com.google.protobuf.ByteString page = com.google.protobuf.ByteString.EMPTY;
    do {
      ListWorkflowExecutionsResponse response = stubs.blockingStub().listWorkflowExecutions(
          ListWorkflowExecutionsRequest.newBuilder().setNamespace("default").setPageSize(500)
              .setNextPageToken(page).setQuery("TaskQueue = '" + queue + "'").build());
      response.getExecutionsList().forEach(e -> {
        String key = e.getExecution().getWorkflowId() + "@" + e.getExecution().getRunId();
        List<String> failed = new ArrayList<>();
        for (HistoryEvent event : client.fetchHistory(e.getExecution().getWorkflowId(), e.getExecution().getRunId()).getEvents()) {
          if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
            WorkflowTaskFailedCause cause = event.getWorkflowTaskFailedEventAttributes().getCause();
            failed.add(cause.name() + " " + event.getWorkflowTaskFailedEventAttributes().getFailure().getMessage());
          }
        }
        failures.put(key, failed);
      });
      page = response.getNextPageToken();
    } while (!page.isEmpty());
    return failures;
  }

  /** The activities that captured logs and deleted the pod at the end of sandbox {@code name}. */
  static String cleanupPath(WorkflowClient client, String name) {
    return client.fetchHistory(WorkflowIds.sandboxWorkflowId(name)).getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
        .filter(a -> a.equals("SandboxDelete") || a.equals("SandboxCaptureAndDelete"))
        .reduce((x, y) -> x + "+" + y).orElse("none");
  }
}
