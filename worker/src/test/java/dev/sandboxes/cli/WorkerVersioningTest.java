package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.worker.SandboxesProperties;
import dev.sandboxes.worker.VersioningUnsupportedException;
import dev.sandboxes.worker.WorkerApplication;
import dev.sandboxes.worker.WorkerConfiguration;
import dev.sandboxes.worker.WorkerDeployments;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.VersionDrainageStatus;
import io.temporal.api.enums.v1.VersioningBehavior;
import io.temporal.api.workflow.v1.WorkflowExecutionVersioningInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import io.temporal.workflow.WorkflowVersioningBehavior;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Worker Versioning against a real Temporal server ({@code temporal server start-dev}, Temporal
 * 1.29.1): two workers of one Worker Deployment with build IDs A and B; a pinned workflow started
 * on A stays on A after B becomes current, an auto-upgrade one moves to B, and A reads DRAINING
 * until its last pinned workflow closes, then DRAINED. The production worker makes its version
 * current, runs batches pinned and sandboxes auto-upgrade, runs the same workflows unversioned
 * when versioning is off, and refuses to start on a server or namespace without Worker
 * Deployments.
 *
 * <p>Needs the {@code temporal} CLI on the PATH ({@code PATH="$(deploy/temporal-cli.sh):$PATH"});
 * without it every test here fails.
 */
class WorkerVersioningTest {
  /** The drainage status is refreshed every second here (3 min by default). */
  private static final List<String> FAST_DRAINAGE = List.of(
      "--dynamic-config-value", "matching.wv.VersionDrainageStatusVisibilityGracePeriod=\"1s\"",
      "--dynamic-config-value", "matching.wv.VersionDrainageStatusRefreshInterval=\"1s\"");
  private static final Path LOGS = Path.of("target", "worker-versioning");

  private static DevServer server;
  private static WorkflowServiceStubs stubs;
  private static WorkflowClient client;
  private static WorkerDeployments deployments;

  @TempDir Path root;
  private static final java.util.concurrent.atomic.AtomicInteger WORKERS = new java.util.concurrent.atomic.AtomicInteger();

  @BeforeAll
  static void startServer() throws Exception {
    server = DevServer.start(LOGS.resolve("server.log"), true, FAST_DRAINAGE);
    stubs = server.stubs();
    client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    deployments = new WorkerDeployments(stubs, "default");
  }

  @AfterAll
  static void stopServer() {
    if (stubs != null) {
      stubs.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aPinnedWorkflowStaysOnItsVersionWhileAnAutoUpgradeOneMovesToTheNewCurrentAndTheOldVersionDrains()
      throws Exception {
    String queue = "versioning-" + UUID.randomUUID().toString().substring(0, 8);
    // a dotted build ID, as project versions are
    WorkerDeploymentVersion a = new WorkerDeploymentVersion(queue, "1.0.0-a");
    WorkerDeploymentVersion b = new WorkerDeploymentVersion(queue, "1.0.1-b");
    WorkerFactory workerA = probeWorker(queue, a.getBuildId());
    WorkerFactory workerB = null;
    try {
      deployments.setCurrentVersion(a, "test", Duration.ofSeconds(20));
      assertThat(deployments.currentVersion(queue)).contains(a);

      Probe pinned = startPinned(queue);
      Probe auto = startAutoUpgrade(queue);
      // an update returns once the workflow task that ran it completed
      pinned.poke();
      auto.poke();
      assertThat(versioning(pinned)).satisfies(on(a, VersioningBehavior.VERSIONING_BEHAVIOR_PINNED));
      assertThat(versioning(auto)).satisfies(on(a, VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE));
      assertThat(deployments.drainageStatus(a)).as("a current version is not draining")
          .isEqualTo(VersionDrainageStatus.VERSION_DRAINAGE_STATUS_UNSPECIFIED);

      workerB = probeWorker(queue, b.getBuildId());
      deployments.setCurrentVersion(b, "test", Duration.ofSeconds(20));
      assertThat(deployments.currentVersion(queue)).contains(b);

      assertThat(pinned.poke()).isEqualTo(2);
      assertThat(auto.poke()).isEqualTo(2);
      assertThat(versioning(pinned)).as("pinned").satisfies(on(a, VersioningBehavior.VERSIONING_BEHAVIOR_PINNED));
      assertThat(versioning(auto)).as("auto-upgrade").satisfies(on(b, VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE));
      Probe fresh = startPinned(queue);
      fresh.poke();
      assertThat(versioning(fresh)).as("a new workflow").satisfies(on(b, VersioningBehavior.VERSIONING_BEHAVIOR_PINNED));

      await("A draining while a workflow is pinned to it").atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> deployments.drainageStatus(a) == VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINING);
      pinned.release();
      assertThat(untyped(pinned).getResult(10, TimeUnit.SECONDS, Integer.class)).isEqualTo(2);
      assertThat(versioning(pinned)).as("pinned, closed").satisfies(on(a, VersioningBehavior.VERSIONING_BEHAVIOR_PINNED));
      await("A drained once its last pinned workflow closed").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> deployments.drainageStatus(a) == VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINED);
      auto.release();
      fresh.release();
      assertThat(untyped(auto).getResult(10, TimeUnit.SECONDS, Integer.class)).isEqualTo(2);
      assertThat(deployments.drainageStatus(b)).isEqualTo(VersionDrainageStatus.VERSION_DRAINAGE_STATUS_UNSPECIFIED);
    } finally {
      shutdown(workerA, workerB);
    }
  }

  /**
   * What a rolling update of a Kubernetes Deployment needs: a stopping worker whose version has
   * been replaced keeps serving the workflow pinned to it until the version drains (and answers
   * queries for a while after), and stops at once when its version is still current or was never
   * current.
   */
  @Test
  void aReplacedVersionDrainsBeforeItsWorkerStops() throws Exception {
    String queue = "drain-" + UUID.randomUUID().toString().substring(0, 8);
    WorkerDeploymentVersion a = new WorkerDeploymentVersion(queue, "3.0.0-a");
    WorkerDeploymentVersion b = new WorkerDeploymentVersion(queue, "3.0.1-b");
    WorkerFactory workerA = probeWorker(queue, a.getBuildId());
    WorkerFactory workerB = null;
    try {
      deployments.setCurrentVersion(a, "test", Duration.ofSeconds(20));
      long t0 = System.nanoTime();
      WorkerConfiguration.drain(deployments, a, Duration.ofSeconds(30), Duration.ofSeconds(30));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the current version does not drain")
          .isLessThan(Duration.ofSeconds(3));

      Probe pinned = startPinned(queue);
      pinned.poke();
      workerB = probeWorker(queue, b.getBuildId());
      t0 = System.nanoTime();
      WorkerConfiguration.drain(deployments, b, Duration.ofSeconds(30), Duration.ofSeconds(30));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a version never current has nothing to drain")
          .isLessThan(Duration.ofSeconds(5));
      deployments.setCurrentVersion(b, "test", Duration.ofSeconds(20));
      await("A draining").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
          // the dev server answers NOT_FOUND for a moment while it recomputes a version's drainage
          .ignoreExceptionsInstanceOf(io.grpc.StatusRuntimeException.class)
          .until(() -> deployments.drainageStatus(a) == VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINING);

      java.util.concurrent.CompletableFuture<Long> drained = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        WorkerConfiguration.drain(deployments, a, Duration.ofSeconds(60), Duration.ofSeconds(4));
        return System.nanoTime();
      });
      Thread.sleep(3000);
      assertThat(drained).as("A drains while its pinned workflow is open").isNotDone();
      // A still serves it: an update is a workflow task on A
      assertThat(pinned.poke()).isEqualTo(2);
      long released = System.nanoTime();
      pinned.release();
      await("A drained").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .ignoreExceptionsInstanceOf(io.grpc.StatusRuntimeException.class)
          .until(() -> deployments.drainageStatus(a) == VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINED);
      assertThat(drained).as("A still answers queries for the window after it drained").isNotDone();
      long end = drained.get(30, TimeUnit.SECONDS);
      assertThat(end).as("drain ended after the pinned workflow closed").isGreaterThan(released);
      assertThat(deployments.versionStatus(a).name()).isEqualTo("WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED");
      // a worker of a version already drained when it is stopped still answers queries for the window
      t0 = System.nanoTime();
      WorkerConfiguration.drain(deployments, a, Duration.ofSeconds(30), Duration.ofSeconds(2));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
    } finally {
      shutdown(workerA, workerB);
    }
  }

  @Test
  void aRestartedWorkerOfAReplacedVersionDoesNotTakeTheDeploymentBack() throws Exception {
    String queue = "forward-" + UUID.randomUUID().toString().substring(0, 8);
    String[] a = workerArguments(server.address(), queue, "--sandboxes.versioning.enabled=true",
        "--sandboxes.versioning.build-id=4.0.0-a", "--sandboxes.versioning.set-current=true");
    try (ConfigurableApplicationContext first = WorkerApplication.run(a)) {
      assertThat(deployments.currentVersion(queue)).contains(new WorkerDeploymentVersion(queue, "4.0.0-a"));
      try (ConfigurableApplicationContext next = WorkerApplication.run(workerArguments(server.address(), queue,
          "--sandboxes.versioning.enabled=true", "--sandboxes.versioning.build-id=4.0.1-b",
          "--sandboxes.versioning.set-current=true"))) {
        assertThat(deployments.currentVersion(queue)).contains(new WorkerDeploymentVersion(queue, "4.0.1-b"));
        first.close();
        try (ConfigurableApplicationContext restarted = WorkerApplication.run(a)) {
          assertThat(deployments.currentVersion(queue)).as("after A's worker restarted")
              .contains(new WorkerDeploymentVersion(queue, "4.0.1-b"));
        }
      }
    }
  }

  @Test
  void theWorkerMakesItsVersionCurrentAndRunsBatchesPinnedAndSandboxesAutoUpgrade() throws Exception {
    String queue = "versioned-worker-" + UUID.randomUUID().toString().substring(0, 8);
    WorkerDeploymentVersion version = new WorkerDeploymentVersion(queue, "2.0.0");
    try (ConfigurableApplicationContext worker = WorkerApplication.run(workerArguments(server.address(), queue,
        "--sandboxes.versioning.enabled=true", "--sandboxes.versioning.build-id=2.0.0",
        "--sandboxes.versioning.set-current=true"))) {
      // the deployment is named after the task queue, and the worker made itself current before run returned
      assertThat(deployments.currentVersion(queue)).contains(version);

      SandboxClient sandboxes = new SandboxClient(client, queue);
      BatchClient batches = new BatchClient(client, queue);
      String[] started = runSandboxAndBatch(sandboxes, batches, "v-" + queue.substring(17));
      String sandbox = started[0];
      String batch = started[1];

      assertThat(versioning(WorkflowIds.sandboxWorkflowId(sandbox)))
          .satisfies(on(version, VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE));
      assertThat(versioning(WorkflowIds.batchWorkflowId(batch)))
          .satisfies(on(version, VersioningBehavior.VERSIONING_BEHAVIOR_PINNED));
      assertThat(versioning(WorkflowIds.batchChunkWorkflowId(batch, 0)))
          .satisfies(on(version, VersioningBehavior.VERSIONING_BEHAVIOR_PINNED));
      String item = batches.results(batch).get(0).sandbox();
      assertThat(versioning(WorkflowIds.sandboxWorkflowId(item))).as("a batch item: starts on its batch's "
          + "version, then declares itself").satisfies(on(version, VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE));
      // the clients' check for a live worker (WorkerWatch) sees a versioned worker's polls
      var pollers = client.getWorkflowServiceStubs().blockingStub().describeTaskQueue(
          io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest.newBuilder().setNamespace("default")
              .setTaskQueue(io.temporal.api.taskqueue.v1.TaskQueue.newBuilder().setName(queue))
              .setTaskQueueType(io.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW).build())
          .getPollersList();
      assertThat(pollers).as("the versioned worker's pollers").isNotEmpty()
          .allSatisfy(p -> assertThat(java.time.Instant.ofEpochSecond(p.getLastAccessTime().getSeconds()))
              .isAfter(java.time.Instant.now().minusSeconds(70)));
      sandboxes.terminate(sandbox, "test over");
    }
  }

  /**
   * The same workflow types on an unversioned worker: the plugin registers the implementations
   * that declare no behaviour, since the server fails every workflow task of an unversioned
   * worker that reports one (Java SDK 1.38 would report an annotated one).
   */
  @Test
  void anUnversionedWorkerRunsBatchesAndSandboxesOnTheSameServer() throws Exception {
    String queue = "unversioned-" + UUID.randomUUID().toString().substring(0, 8);
    try (ConfigurableApplicationContext worker = WorkerApplication.run(workerArguments(server.address(), queue))) {
      SandboxClient sandboxes = new SandboxClient(client, queue);
      String[] started = runSandboxAndBatch(sandboxes, new BatchClient(client, queue), "u-" + queue.substring(12));
      String sandbox = started[0];
      String batch = started[1];
      assertThat(versioning(WorkflowIds.sandboxWorkflowId(sandbox)).getBehavior())
          .isEqualTo(VersioningBehavior.VERSIONING_BEHAVIOR_UNSPECIFIED);
      assertThat(versioning(WorkflowIds.batchWorkflowId(batch)).getBehavior())
          .isEqualTo(VersioningBehavior.VERSIONING_BEHAVIOR_UNSPECIFIED);
      sandboxes.terminate(sandbox, "test over");
    }
  }

  /** Starts an idle sandbox and a one-item batch, waits for both; returns their names. */
  static String[] runSandboxAndBatch(SandboxClient sandboxes, BatchClient batches, String batchName) {
    String sandbox = sandboxes.start(SandboxSpec.builder("busybox:1.36").command("sleep", "60").build());
    String batch = batches.start(BatchSpec.ofCount(batchName, SandboxSpec.builder("busybox:1.36")
        .command("true").build(), 1, 1));
    assertThat(sandboxes.awaitRunning(sandbox, Duration.ofSeconds(30)).phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(batches.awaitDone(batch, Duration.ofSeconds(30))).get()
        .extracting(BatchProgress::state).isEqualTo(BatchProgress.SUCCEEDED);
    return new String[] {sandbox, batch};
  }

  @Test
  void aVersionedWorkerRefusesToStartOnTheJavaTestServer() throws Exception {
    int port = DevServer.freePort();
    try (TestServer.PortBoundTestServer javaServer = TestServer.createPortBoundServer(port)) {
      StringWriter err = new StringWriter();
      int code = SandboxCommand.execute(commandLine("worker", workerArguments("127.0.0.1:" + port, "versioned",
              "--sandboxes.versioning.enabled=true")),
          new PrintWriter(new StringWriter()), new PrintWriter(err));
      System.out.println("Java test server: " + err);
      assertThat(code).isEqualTo(ExitCodes.OPERATIONAL);
      assertThat(err.toString())
          .startsWith("sandbox: VersioningUnsupportedException: sandboxes.versioning.enabled=true, but the "
              + "Temporal server at 127.0.0.1:" + port + " has no Worker Deployments")
          .contains("UNIMPLEMENTED")
          .contains("needs Temporal server 1.29.1 or later")
          .contains("or set sandboxes.versioning.enabled=false");
      assertThat(err.toString().strip()).doesNotContain("\n");
    }
  }

  @Test
  void aVersionedWorkerRefusesToStartWhereTheNamespaceDisallowsWorkerDeployments() throws Exception {
    try (DevServer disabled = DevServer.start(LOGS.resolve("server-disabled.log"), true,
        List.of("--dynamic-config-value", "system.enableDeploymentVersions=false"))) {
      Throwable refused = catchThrowable(() -> WorkerApplication.run(workerArguments(disabled.address(), "versioned",
          "--sandboxes.versioning.enabled=true")).close());
      System.out.println("disabled namespace: " + refused);
      assertThat(refused).isInstanceOf(VersioningUnsupportedException.class)
          .hasMessageContaining("does not allow Worker Deployment versions in namespace default "
              + "(PERMISSION_DENIED: Worker Deployment Versions are disabled on this namespace.)")
          .hasMessageContaining("system.enableDeploymentVersions=true");
      // unversioned, the same worker starts
      WorkerApplication.run(workerArguments(disabled.address(), "unversioned")).close();
    }
  }

  // --- probes: a pinned and an auto-upgrade workflow whose every update is one workflow task

  /** Counts pokes until released; each poke (an update) runs in its own workflow task. */
  public interface Probe {
    @UpdateMethod
    int poke();

    @SignalMethod
    void release();
  }

  @WorkflowInterface
  public interface PinnedProbe extends Probe {
    @WorkflowMethod(name = "PinnedProbe")
    int run();
  }

  @WorkflowInterface
  public interface AutoUpgradeProbe extends Probe {
    @WorkflowMethod(name = "AutoUpgradeProbe")
    int run();
  }

  abstract static class ProbeBody implements Probe {
    private int pokes;
    private boolean released;

    int waitForRelease() {
      Workflow.await(() -> released);
      return pokes;
    }

    @Override
    public int poke() {
      return ++pokes;
    }

    @Override
    public void release() {
      released = true;
    }
  }

  public static class PinnedProbeImpl extends ProbeBody implements PinnedProbe {
    @Override
    @WorkflowVersioningBehavior(io.temporal.common.VersioningBehavior.PINNED)
    public int run() {
      return waitForRelease();
    }
  }

  public static class AutoUpgradeProbeImpl extends ProbeBody implements AutoUpgradeProbe {
    @Override
    @WorkflowVersioningBehavior(io.temporal.common.VersioningBehavior.AUTO_UPGRADE)
    public int run() {
      return waitForRelease();
    }
  }

  // --- helpers

  /** A worker of the probes, with the deployment options the production worker derives from its properties. */
  private static WorkerFactory probeWorker(String queue, String buildId) {
    SandboxesProperties properties = properties(queue, buildId);
    WorkerFactory factory = WorkerFactory.newInstance(client);
    factory.newWorker(queue, WorkerConfiguration.workerOptions(properties))
        .registerWorkflowImplementationTypes(PinnedProbeImpl.class, AutoUpgradeProbeImpl.class);
    deployments.requireSupport(properties.versioning().version(queue));
    factory.start();
    return factory;
  }

  private static void shutdown(WorkerFactory... factories) {
    for (WorkerFactory factory : factories) {
      if (factory != null) {
        factory.shutdownNow();
      }
    }
  }

  private static SandboxesProperties properties(String queue, String buildId) {
    return new Binder(new MapConfigurationPropertySource(java.util.Map.of(
            "sandboxes.task-queue", queue,
            "sandboxes.versioning.enabled", "true",
            "sandboxes.versioning.build-id", buildId)))
        .bindOrCreate("sandboxes", Bindable.of(SandboxesProperties.class));
  }

  /** A worker's arguments, with a local root of its own: two workers in this JVM never share one (it is locked). */
  private String[] workerArguments(String target, String queue, String... more) {
    Path own = root.resolve("worker-" + WORKERS.incrementAndGet());
    List<String> args = new ArrayList<>(List.of("--sandboxes.temporal.target=" + target,
        "--sandboxes.task-queue=" + queue, "--sandboxes.runtime=local", "--sandboxes.local.root=" + own,
        "--sandboxes.local.isolation=none", "--sandboxes.reaper.enabled=false", "--server.port=0"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static String[] commandLine(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private static Probe startPinned(String queue) {
    PinnedProbe probe = client.newWorkflowStub(PinnedProbe.class, probeOptions(queue));
    WorkflowClient.start(probe::run);
    return probe;
  }

  private static Probe startAutoUpgrade(String queue) {
    AutoUpgradeProbe probe = client.newWorkflowStub(AutoUpgradeProbe.class, probeOptions(queue));
    WorkflowClient.start(probe::run);
    return probe;
  }

  private static WorkflowOptions probeOptions(String queue) {
    return WorkflowOptions.newBuilder().setWorkflowId("probe-" + UUID.randomUUID()).setTaskQueue(queue).build();
  }

  private static WorkflowStub untyped(Probe probe) {
    return WorkflowStub.fromTyped(probe);
  }

  private static WorkflowExecutionVersioningInfo versioning(Probe probe) {
    return versioning(untyped(probe).getExecution().getWorkflowId());
  }

  private static WorkflowExecutionVersioningInfo versioning(String workflowId) {
    return stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace("default").setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
            .build())
        .getWorkflowExecutionInfo().getVersioningInfo();
  }

  private static java.util.function.Consumer<WorkflowExecutionVersioningInfo> on(WorkerDeploymentVersion version,
      VersioningBehavior behavior) {
    return info -> {
      assertThat(info.getDeploymentVersion().getDeploymentName()).as("deployment of " + info)
          .isEqualTo(version.getDeploymentName());
      assertThat(info.getDeploymentVersion().getBuildId()).as("build ID of " + info).isEqualTo(version.getBuildId());
      assertThat(info.getBehavior()).as("behaviour of " + info).isEqualTo(behavior);
    };
  }

}
