package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.client.PoolClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.PoolStatus;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.runtime.kubernetes.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Warm pools on the rig. A worker process beside the cluster (the production jar, the chart's
 * least-privilege identity, agents on their pod IPs) keeps a pool of 20 busybox pods; 50
 * sandboxes of that image and size are created at once: every pod serves one sandbox (the
 * claims race on the API server's resourceVersion), the pool's pods go to at least 20 of them,
 * each runs with its own environment, and the pool fills again. Then the worker restarts without
 * the pool: its keeper drains it and ends, and nothing of it is left.
 */
class WarmPoolClusterTest {
  static final int SIZE = 20;
  static final int BURST = 50;
  static final Path LOGS = Path.of(System.getProperty("basedir", "."), "target", "pool-tests");

  static final String run = UUID.randomUUID().toString().substring(0, 6);
  static final String pool = "p" + run;
  static final String queue = "pools-" + run;
  static WorkerProcess worker;
  static WorkflowServiceStubs stubs;
  static KubernetesClient admin;

  static List<String> poolSettings(int size) {
    return List.of("--sandboxes.kubernetes.agent-image=" + Rig.agentImage(),
        "--sandboxes.kubernetes.pools[0].name=" + pool,
        "--sandboxes.kubernetes.pools[0].image=busybox:1.36",
        "--sandboxes.kubernetes.pools[0].cpu=10m",
        "--sandboxes.kubernetes.pools[0].memory=16Mi",
        "--sandboxes.kubernetes.pools[0].size=" + size,
        "--sandboxes.kubernetes.pools[0].refill-per-minute=60");
  }

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(LOGS);
    stubs = Rig.temporal();
    admin = Rig.admin();
    worker = WorkerProcess.start(Rig.workerJar(), Rig.temporalAddress(), queue, Path.of(Rig.kubeconfig()),
        LOGS.resolve(queue + "-worker.log"), poolSettings(SIZE));
    worker.awaitPolling(Duration.ofMinutes(2));
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
    if (admin != null) {
      // whatever a failed test left: the pool's pods, policy and Secrets
      admin.pods().inNamespace(Rig.NAMESPACE).withLabel(Labels.POOL, pool).delete();
      admin.secrets().inNamespace(Rig.NAMESPACE).withLabel(Labels.POOL, pool).delete();
      admin.network().v1().networkPolicies().inNamespace(Rig.NAMESPACE).withName("pool." + pool).delete();
      admin.close();
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
  }

  static PoolStatus poolStatus() {
    return new PoolClient(WorkflowClient.newInstance(stubs)).list().stream()
        .filter(p -> p.name().equals(pool)).findFirst().orElse(null);
  }

  static PoolStatus awaitPool(Predicate<PoolStatus> done, Duration limit) throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    PoolStatus status = poolStatus();
    while (status == null || !done.test(status)) {
      assertThat(Instant.now()).as("pool %s: %s", pool, status).isBefore(deadline);
      Thread.sleep(500); // the keeper's counts, read by query: nothing to watch on
      status = poolStatus();
    }
    return status;
  }

  List<Pod> poolPods() {
    return admin.pods().inNamespace(Rig.NAMESPACE).withLabel(Labels.POOL, pool).list().getItems();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void fiftySandboxesAtOnceTakeThePoolsTwentyPodsEachOnceThenThePoolFillsAgainAndDrainsWhenRemoved() throws Exception {
    PoolStatus filled = awaitPool(s -> s.ready() == SIZE, Duration.ofMinutes(4));
    System.out.printf("pool %s filled: %s%n", pool, filled);
    assertThat(poolPods()).hasSize(SIZE).allMatch(p -> p.getMetadata().getName().startsWith(pool + "."));

    SandboxClient sandboxes = new SandboxClient(WorkflowClient.newInstance(stubs), queue);
    ExecutorService threads = Executors.newFixedThreadPool(BURST);
    List<CompletableFuture<String>> outputs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Instant burst = Instant.now();
    for (int i = 0; i < BURST; i++) {
      String name = "pool-" + run + "-" + i;
      names.add(name);
      SandboxSpec spec = SandboxSpec.builder("busybox:1.36").name(name).cpu("10m").memory("16Mi")
          .env(Map.of("WHO", name)).tags(Map.of("test", run)).build();
      outputs.add(CompletableFuture.supplyAsync(() -> {
        sandboxes.start(spec);
        SandboxPhase phase = sandboxes.awaitRunning(name, Duration.ofMinutes(3)).phase();
        assertThat(phase).as(name).isEqualTo(SandboxPhase.RUNNING);
        return sandboxes.exec(name, ExecRequest.of("sh", "-c", "echo $WHO")).stdout();
      }, threads));
    }
    for (int i = 0; i < BURST; i++) {
      assertThat(outputs.get(i).get(4, TimeUnit.MINUTES)).as("the exec in %s", names.get(i))
          .isEqualTo(names.get(i) + "\n");
    }
    threads.shutdown();
    System.out.printf("%d sandboxes running and answering in %.1f s%n", BURST,
        Duration.between(burst, Instant.now()).toMillis() / 1e3);

    Map<String, String> podOf = new HashMap<>();
    int fromPool = 0;
    for (String name : names) {
      List<Pod> pods = admin.pods().inNamespace(Rig.NAMESPACE).withLabel(Labels.SANDBOX, name).list().getItems();
      assertThat(pods).as("the pods of %s", name).hasSize(1);
      String podName = pods.get(0).getMetadata().getName();
      assertThat(podOf.values()).as("%s's pod serves no other sandbox", name).doesNotContain(podName);
      podOf.put(name, podName);
      if (podName.startsWith(pool + ".")) {
        fromPool++;
        assertThat(pods.get(0).getMetadata().getLabels()).containsEntry(Labels.POOL_STATE, Labels.POOL_CLAIMED)
            .containsEntry(Labels.TAG_PREFIX + "test", run);
      }
    }
    System.out.printf("%d of %d sandboxes took a pool pod%n", fromPool, BURST);
    assertThat(fromPool).as("sandboxes that took a pool pod").isBetween(SIZE, BURST);

    PoolStatus refilled = awaitPool(s -> s.ready() == SIZE, Duration.ofMinutes(3));
    assertThat(refilled.claimed()).isEqualTo(fromPool);

    for (String name : names) {
      assertThat(sandboxes.terminate(name, "test over").phase()).isEqualTo(SandboxPhase.TERMINATED);
    }
    for (String name : names) {
      assertThat(admin.pods().inNamespace(Rig.NAMESPACE).withName(podOf.get(name)).get()).as("%s's pod", name).isNull();
      assertThat(admin.secrets().inNamespace(Rig.NAMESPACE).withName(podOf.get(name) + "-agent").get())
          .as("%s's token", name).isNull();
    }
    // (the keeper's counts say claimed=fromPool until its next round: it wakes for claims, not for ends)
    assertThat(poolPods()).as("the pool's pods: its idle ones only").hasSize(SIZE).allMatch(p ->
        Labels.POOL_IDLE.equals(p.getMetadata().getLabels().get(Labels.POOL_STATE)));

    // the worker comes back without the pool: the keeper drains it and ends
    worker.stop();
    worker = WorkerProcess.start(Rig.workerJar(), Rig.temporalAddress(), queue, Path.of(Rig.kubeconfig()),
        LOGS.resolve(queue + "-worker-without-pool.log"), List.of("--sandboxes.kubernetes.agent-image=" + Rig.agentImage()));
    worker.awaitPolling(Duration.ofMinutes(2));
    var keeper = WorkflowClient.newInstance(stubs).newUntypedWorkflowStub(WorkflowIds.poolWorkflowId(pool));
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (WorkflowClient.newInstance(stubs).fetchHistory(WorkflowIds.poolWorkflowId(pool)).getHistory()
        .getEventsList().stream().noneMatch(e -> e.hasWorkflowExecutionCompletedEventAttributes())) {
      assertThat(Instant.now()).as("the keeper of the removed pool ended").isBefore(deadline);
      Thread.sleep(1000); // nothing to watch on from here
    }
    assertThat(keeper.describe().getWorkflowExecutionInfo().getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    Instant gone = Instant.now().plus(Duration.ofMinutes(1));
    while (!poolPods().isEmpty()) {
      assertThat(Instant.now()).as("the drained pool's pods gone: %s", poolPods().size()).isBefore(gone);
      Thread.sleep(1000);
    }
    assertThat(admin.secrets().inNamespace(Rig.NAMESPACE).withLabel(Labels.POOL, pool).list().getItems())
        .as("the pool's Secrets").isEmpty();
    assertThat(admin.network().v1().networkPolicies().inNamespace(Rig.NAMESPACE).withName("pool." + pool).get())
        .as("the pool's policy").isNull();
  }
}
