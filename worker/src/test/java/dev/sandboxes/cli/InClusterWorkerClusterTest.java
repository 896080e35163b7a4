package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.WorkflowIds;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What the worker's Deployment in the rig survives (installed from its image and chart by
 * deploy/rig/install-worker.sh; these tests use its task queue, which only the in-cluster
 * workers poll): a worker pod deleted in the middle of a batch, and a {@code helm upgrade} to a
 * second image while sandboxes idle and a batch runs (the batch, pinned to the old version,
 * finishes on the old pods while they drain). Everything in flight completes, every result is
 * there once, nothing is left behind. e2e profile only; fails without the rig.
 */
class InClusterWorkerClusterTest {
  static final int POD_LOSS_ITEMS = 200;
  static final int UPGRADE_ITEMS = 100;
  static final int ITEM_SECONDS = 15;
  static final int IDLE_SANDBOXES = 3;

  @Test
  void aWorkerPodDeletedDuringABatchLosesNothing() throws Exception {
    String batch = "podloss-" + UUID.randomUUID().toString().substring(0, 6);
    WorkflowServiceStubs stubs = Rig.temporal();
    BatchClient batches = new BatchClient(WorkflowClient.newInstance(stubs));
    try (KubernetesClient admin = Rig.admin(); PodHistory pods = PodHistory.record(admin, batch + "-")) {
      Set<String> before = workerNames(admin);
      assertThat(before).as("worker pods before the test").hasSizeGreaterThanOrEqualTo(2);
      long t0 = System.nanoTime();
      batches.start(SquareBatch.of(batch, POD_LOSS_ITEMS));
      int threshold = POD_LOSS_ITEMS / 5;
      pods.await(threshold + " item pods deleted", Duration.ofMinutes(6), p -> p.deleted() >= threshold);
      String victim = before.iterator().next();
      int live = pods.live().size();
      // what `kubectl delete pod` does: SIGTERM, the worker drains, the ReplicaSet replaces it
      admin.pods().inNamespace(Install.NAMESPACE).withName(victim).delete();
      double deletedAt = (System.nanoTime() - t0) / 1e9;

      BatchProgress done = batches.awaitDone(batch, Duration.ofMinutes(15)).orElseThrow(
          () -> new AssertionError("the batch did not finish in 15 minutes: " + batches.progress(batch)));
      double seconds = (System.nanoTime() - t0) / 1e9;
      List<ItemResult> results = batches.results(batch);
      pods.await("every pod of the batch deleted", Duration.ofMinutes(2), p -> p.live().isEmpty());
      awaitReplicasReady(admin);
      Set<String> after = workerNames(admin);
      PodHistory.Leftovers leftovers = PodHistory.Leftovers.of(admin, batch + "-");
      System.out.printf("worker pod %s deleted at %.1f s (%d item pods live); %d-item batch %.0f s, %s; "
              + "workers after %s; pods created %d; leftovers %s%n",
          victim, deletedAt, live, POD_LOSS_ITEMS, seconds, done, after, pods.created(), leftovers);

      SquareBatch.assertEveryItemOnce(done, results, POD_LOSS_ITEMS);
      SquareBatch.assertOnePodPerAttempt(results, pods);
      assertThat(after).as("the deleted worker is replaced").doesNotContain(victim).hasSize(before.size());
      assertThat(leftovers.total()).as("objects left of batch %s: %s", batch, leftovers).isZero();

      // the survivors' metrics show the batch: its items, and the Kubernetes API requests that
      // created their pods (the Kubernetes runtime's series, which the unit suite cannot show)
      assertThat(scrapedSum(admin, "sandbox_platform_requests_total", "resource=\"pods\""))
          .as("Kubernetes API requests for pods").isPositive();
      assertThat(scrapedSum(admin, "sandbox_platform_requests_total", "method=\"POST\",resource=\"pods\",status=\"201\""))
          .as("pods created").isPositive();
      assertThat(scrapedSum(admin, "sandbox_platform_request_latency_seconds_count", "resource=\"pods\"")).isPositive();
      assertThat(scrapedSum(admin, "sandbox_batch_items_finished_total", "outcome=\"succeeded\"")).isPositive();
    } finally {
      SquareBatch.closeForGood(WorkflowClient.newInstance(stubs), WorkflowIds.batchWorkflowId(batch));
      stubs.shutdownNow();
    }
  }

  @Test
  void aHelmUpgradeToASecondImageCompletesEverythingInFlight() throws Exception {
    String tag = System.getProperty("sandboxes.e2e.upgradeTag");
    if (tag == null || tag.isBlank() || tag.startsWith("${")) {
      fail("the upgrade test needs a second image in the rig: -Dsandboxes.e2e.upgradeTag=" + tag + "; run deploy/e2e.sh");
    }
    String id = UUID.randomUUID().toString().substring(0, 6);
    String batch = "upgrade-" + id;
    WorkflowServiceStubs stubs = Rig.temporal();
    WorkflowClient client = WorkflowClient.newInstance(stubs);
    SandboxClient sandboxes = new SandboxClient(client);
    BatchClient batches = new BatchClient(client);
    List<String> idle = new ArrayList<>();
    try (KubernetesClient admin = Rig.admin(); PodHistory pods = PodHistory.record(admin, batch + "-")) {
      String before = image(Install.deployment(admin));
      assertThat(before).as("the image before the upgrade").doesNotEndWith(":" + tag);
      for (int i = 0; i < IDLE_SANDBOXES; i++) {
        String name = "upgrade-idle-" + id + "-" + i;
        sandboxes.start(SandboxSpec.builder("busybox:1.36").name(name).cpu("10m").memory("16Mi")
            .ttl(Duration.ofMinutes(30)).build());
        idle.add(name);
      }
      for (String name : idle) {
        assertThat(sandboxes.awaitRunning(name, Duration.ofMinutes(2)).phase()).isEqualTo(SandboxPhase.RUNNING);
      }
      long t0 = System.nanoTime();
      // items of 15 s: the batch, pinned to the old version, outlasts the rollout, so the old
      // pods must drain it after Kubernetes has stopped them
      batches.start(SquareBatch.slow(batch, UPGRADE_ITEMS, ITEM_SECONDS));
      pods.await("the first item pods", Duration.ofMinutes(2), p -> p.created() >= SquareBatch.PARALLELISM);

      // the operator's command; --reuse-values keeps the install's values, only the image changes
      Install.helm("upgrade", Install.RELEASE, Install.chart().toString(), "--namespace", Install.NAMESPACE,
          "--reuse-values", "--set", "image.tag=" + tag, "--wait", "--timeout", "5m").requireSuccess("helm upgrade");
      double rolledAt = (System.nanoTime() - t0) / 1e9;
      assertThat(client.newUntypedWorkflowStub(WorkflowIds.batchWorkflowId(batch)).describe()
          .getWorkflowExecutionInfo().hasCloseTime())
          .as("the batch still runs when the rollout is over (%.0f s in); make its items longer", rolledAt).isFalse();
      String oldBuild = before.substring(before.lastIndexOf(':') + 1);

      BatchProgress done = batches.awaitDone(batch, Duration.ofMinutes(15)).orElseThrow(
          () -> new AssertionError("the batch did not finish in 15 minutes: " + batches.progress(batch)));
      double seconds = (System.nanoTime() - t0) / 1e9;
      List<ItemResult> results = batches.results(batch);
      SquareBatch.assertEveryItemOnce(done, results, UPGRADE_ITEMS);
      SquareBatch.assertOnePodPerAttempt(results, pods);
      assertThat(RollingUpgradeClusterTest.versioning(stubs, WorkflowIds.batchWorkflowId(batch)).getDeploymentVersion()
          .getBuildId()).as("the version that finished the batch: the old one, draining").isEqualTo(oldBuild);

      // the new version took over: the Worker Deployment's current version, every worker pod,
      // and each idle sandbox once it has work again (its workflows are AUTO_UPGRADE)
      String deploymentName = "sandboxes";
      String current = stubs.blockingStub().describeWorkerDeployment(DescribeWorkerDeploymentRequest.newBuilder()
              .setNamespace("default").setDeploymentName(deploymentName).build())
          .getWorkerDeploymentInfo().getRoutingConfig().getCurrentDeploymentVersion().getBuildId();
      assertThat(current).as("the Worker Deployment's current version").isEqualTo(tag);
      awaitReplicasReady(admin);
      assertThat(Install.runningWorkers(admin)).allSatisfy(p ->
          assertThat(p.getSpec().getContainers().get(0).getImage()).endsWith(":" + tag));
      for (String name : idle) {
        WorkerCrashClusterTest.assertUsable(sandboxes, name, "after the upgrade");
        assertThat(RollingUpgradeClusterTest.versioning(stubs, WorkflowIds.sandboxWorkflowId(name))
            .getDeploymentVersion().getBuildId()).as("the version sandbox %s runs on", name).isEqualTo(tag);
      }
      for (String name : idle) {
        sandboxes.terminate(name, "upgrade test over");
      }
      for (String name : idle) {
        assertThat(sandboxes.awaitDone(name, Duration.ofMinutes(2))).as("the end of %s", name)
            .hasValueSatisfying(r -> assertThat(r.phase()).isEqualTo(SandboxPhase.TERMINATED));
      }
      pods.await("every pod of the batch deleted", Duration.ofMinutes(2), p -> p.live().isEmpty());
      PodHistory.Leftovers leftovers = PodHistory.Leftovers.of(admin, batch + "-");
      PodHistory.Leftovers idleLeftovers = PodHistory.Leftovers.of(admin, "upgrade-idle-" + id);
      System.out.printf("helm upgrade %s -> %s done %.1f s into a %d-item batch (%.0f s, %s) with %d idle sandboxes; "
          + "leftovers %s, %s%n", before, tag, rolledAt, UPGRADE_ITEMS, seconds, done, IDLE_SANDBOXES, leftovers,
          idleLeftovers);
      assertThat(leftovers.total()).as("objects left of batch %s: %s", batch, leftovers).isZero();
      assertThat(idleLeftovers.total()).as("objects left of the idle sandboxes: %s", idleLeftovers).isZero();
    } finally {
      for (String name : idle) {
        SquareBatch.closeForGood(client, WorkflowIds.sandboxWorkflowId(name));
      }
      SquareBatch.closeForGood(client, WorkflowIds.batchWorkflowId(batch));
      stubs.shutdownNow();
    }
  }

  private static Set<String> workerNames(KubernetesClient admin) {
    return Install.runningWorkers(admin).stream().map(p -> p.getMetadata().getName())
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  /** Every replica of the Deployment ready and updated (old pods may still be draining). */
  /** The sum over the running worker pods' {@code /actuator/prometheus} of one series' values. */
  private static double scrapedSum(KubernetesClient admin, String series, String label) throws Exception {
    double sum = 0;
    for (io.fabric8.kubernetes.api.model.Pod worker : Install.runningWorkers(admin)) {
      sum += WorkerMetricsTest.value(WorkerMetricsTest.scrape(
          "http://" + worker.getStatus().getPodIP() + ":8080/actuator/prometheus"), series, label);
    }
    return sum;
  }

  private static void awaitReplicasReady(KubernetesClient admin) {
    Awaitility.await("every worker replica ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          Deployment d = Install.deployment(admin);
          List<Pod> pods = admin.pods().inNamespace(Install.NAMESPACE)
              .withLabels(Install.WORKER_POD_LABELS).list().getItems();
          return d.getStatus().getReadyReplicas() != null
              && d.getStatus().getReadyReplicas().equals(d.getSpec().getReplicas())
              && d.getStatus().getUpdatedReplicas() != null
              && d.getStatus().getUpdatedReplicas().equals(d.getSpec().getReplicas())
              && pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).count()
                  == d.getSpec().getReplicas();
        });
  }

  private static String image(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}
