package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.runtime.kubernetes.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The orphan reaper on the rig, as the e2e dev stack runs it (a Temporal Schedule every 30 s,
 * 30 s grace): sandboxes and volumes whose workflows an operator terminates with Temporal's own
 * tools lose their pods, network policies and claims within two minutes, while open ones beside
 * them are untouched. e2e profile only; fails, never skips, without the rig.
 */
class ReaperClusterTest {
  static final String NAMESPACE = "sandboxes";
  static final int DOOMED = 20;
  static final int KEPT = 20;
  static final int VOLUMES = 3;
  static final Duration LIMIT = Duration.ofMinutes(2);

  static WorkflowServiceStubs stubs;
  static WorkflowClient workflows;
  static SandboxClient sandboxes;
  static VolumeClient volumes;
  static KubernetesClient kube;

  @BeforeAll
  static void connect() {
    String kubeconfig = Rig.kubeconfig();
    stubs = Rig.temporal();
    workflows = WorkflowClient.newInstance(stubs);
    sandboxes = new SandboxClient(workflows);
    volumes = new VolumeClient(workflows);
    System.setProperty("kubeconfig", kubeconfig);
    kube = new KubernetesClientBuilder().build();
  }

  @AfterAll
  static void close() {
    if (kube != null) {
      kube.close();
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
  }

  static SandboxSpec idle(String name, String volume) {
    SandboxSpec.Builder spec = SandboxSpec.builder("busybox:1.36").name(name).cpu("10m").memory("16Mi");
    if (volume != null) {
      spec.volume("/data", volume);
    }
    return spec.build();
  }

  @Test
  void objectsOfWorkflowsTerminatedBehindTheProjectsBackAreReapedWithinTwoMinutesAndOpenOnesStay()
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 6);
    List<String> vols = IntStream.range(0, VOLUMES).mapToObj(i -> "reap-" + run + "-v" + i).toList();
    for (String v : vols) {
      volumes.create(v, new VolumeSpec("64Mi", null, null));
    }
    for (String v : vols) {
      volumes.awaitReady(v, Duration.ofMinutes(2));
    }
    List<String> doomed = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < DOOMED; i++) {
      // the first sandboxes mount the volumes, so the volumes are attached when their workflows end
      doomed.add(sandboxes.start(idle("reap-" + run + "-d" + i, i < 2 * VOLUMES ? vols.get(i % VOLUMES) : null)));
    }
    for (int i = 0; i < KEPT; i++) {
      kept.add(sandboxes.start(idle("reap-" + run + "-k" + i, null)));
    }
    for (String name : concat(doomed, kept)) {
      assertThat(sandboxes.awaitRunning(name, Duration.ofMinutes(3)).phase()).as(name).isEqualTo(SandboxPhase.RUNNING);
    }
    Set<String> claims = new HashSet<>();
    vols.forEach(v -> claims.add(dev.sandboxes.runtime.kubernetes.VolumeClaims.claimName(v)));
    assertThat(names(kube.persistentVolumeClaims().inNamespace(NAMESPACE).list().getItems())).containsAll(claims);

    // An operator's tools: terminate runs no workflow code, so nothing is cleaned up by it.
    Instant terminated = Instant.now();
    for (String name : doomed) {
      workflows.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).terminate("terminated behind its back");
    }
    for (String v : vols) {
      workflows.newUntypedWorkflowStub(WorkflowIds.volumeWorkflowId(v)).terminate("terminated behind its back");
    }
    assertThat(names(pods())).as("terminate alone leaves the pods").containsAll(doomed);

    Set<String> doomedNames = new HashSet<>(doomed);
    CompletableFuture<?> podsGone = kube.pods().inNamespace(NAMESPACE).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
        .informOnCondition(noneOf(doomedNames));
    CompletableFuture<?> claimsGone = kube.persistentVolumeClaims().inNamespace(NAMESPACE)
        .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).informOnCondition(noneOf(claims));
    long budget = LIMIT.toMillis();
    try {
      CompletableFuture.allOf(podsGone, claimsGone).get(budget, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      fail("after " + LIMIT + " still there: pods " + intersect(names(pods()), doomedNames)
          + ", policies " + intersect(names(kube.network().v1().networkPolicies().inNamespace(NAMESPACE).list().getItems()), doomedNames)
          + ", claims " + intersect(names(kube.persistentVolumeClaims().inNamespace(NAMESPACE).list().getItems()), claims));
    }
    Duration took = Duration.between(terminated, Instant.now());
    // The worker may list but not watch policies; a pass deletes a sandbox's policy right after
    // its pod and before any claim, so with the claims gone the policies are gone too.
    assertThat(intersect(names(kube.network().v1().networkPolicies().inNamespace(NAMESPACE).list().getItems()),
        doomedNames)).as("network policies of the reaped sandboxes").isEmpty();
    System.out.printf("reaper on the rig: %d sandboxes and %d attached volumes terminated behind the project's back "
        + "were gone %.1f s later; %d open sandboxes untouched%n", DOOMED, VOLUMES, took.toMillis() / 1000.0, KEPT);

    Set<String> podsNow = new HashSet<>(names(pods()));
    for (String name : kept) {
      assertThat(podsNow).as("open sandbox " + name + " keeps its pod").contains(name);
      assertThat(sandboxes.describe(name).phase()).as(name).isEqualTo(SandboxPhase.RUNNING);
    }
    for (String name : kept) {
      sandboxes.terminate(name, "test over");
    }
  }

  static List<? extends HasMetadata> pods() {
    return kube.pods().inNamespace(NAMESPACE).list().getItems();
  }

  static <T extends HasMetadata> Predicate<List<T>> noneOf(Set<String> names) {
    return list -> list.stream().noneMatch(o -> names.contains(o.getMetadata().getName()));
  }

  static List<String> names(List<? extends HasMetadata> objects) {
    return objects.stream().map(o -> o.getMetadata().getName()).toList();
  }

  static Set<String> intersect(List<String> found, Set<String> wanted) {
    Set<String> both = new HashSet<>(found);
    both.retainAll(wanted);
    return both;
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
