package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sandboxes whose egress denies all (the default) share one NetworkPolicy, applied before their
 * pods and selected by a label on them: their creates and deletes write no policy of their own.
 * A sandbox that allows CIDRs still gets its own.
 */
class KubernetesSharedPolicyTest {
  private static final String NAMESPACE = MockCluster.NAMESPACE;
  private static final String POLICIES = "/apis/networking.k8s.io/v1/namespaces/" + NAMESPACE + "/networkpolicies";

  @RegisterExtension
  static final MockCluster cluster = MockCluster.start(b -> b.defaultEgress(EgressPolicy.denyAll()));

  /** Requests that write network policies, among {@code writes} ({@code METHOD path}). */
  private static long policyWrites(List<String> writes) {
    return writes.stream().filter(w -> w.split(" ", 2)[1].startsWith(POLICIES)).count();
  }

  private static Pod pod(String name) {
    return cluster.client.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  KubernetesGateway gateway;
  KubernetesRuntime runtime;

  @BeforeEach
  void runtime() {
    gateway = new KubernetesGateway(cluster.client, NAMESPACE);
    runtime = new KubernetesRuntime(gateway, cluster.options());
  }

  @Test
  void createsThatComeTogetherApplyTheSharedPolicyOnce() throws Exception {
    int before = cluster.api.writes().size();
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> creates = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String name = MockCluster.unique("together");
        creates.add(threads.submit(() -> runtime.create(SandboxSpec.builder("busybox:1.36").name(name).build(),
            new SandboxOwner("sandbox/" + name, "r"))));
      }
      for (var create : creates) {
        create.get();
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(policyWrites(cluster.api.writes().subList(before, cluster.api.writes().size())))
        .as("policy writes of 8 creates at once on a fresh worker").isEqualTo(1);
  }

  @Test
  void deniedSandboxesShareOnePolicyAndWriteNoneOfTheirOwnWhileAnAllowListGetsItsOwn() {
    String first = MockCluster.unique("shared-a");
    String second = MockCluster.unique("shared-b");
    String allowing = MockCluster.unique("own");
    int before = cluster.api.writes().size();

    runtime.create(SandboxSpec.builder("busybox:1.36").name(first).build(), new SandboxOwner("sandbox/" + first, "r1"));
    runtime.create(SandboxSpec.builder("busybox:1.36").name(second).build(), new SandboxOwner("sandbox/" + second, "r2"));

    List<String> creates = cluster.api.writes().subList(before, cluster.api.writes().size());
    assertThat(policyWrites(creates)).as("policy writes of two denied sandboxes: the shared one, once").isEqualTo(1);
    String shared = pod(first).getMetadata().getLabels().get(Labels.NETWORK_POLICY);
    assertThat(shared).startsWith("sandboxes-shared-");
    assertThat(pod(second).getMetadata().getLabels()).containsEntry(Labels.NETWORK_POLICY, shared);
    NetworkPolicy policy = cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(shared).get();
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Egress");
    assertThat(policy.getSpec().getEgress()).isEmpty();
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .containsEntry(Labels.NETWORK_POLICY, shared).containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    assertThat(policy.getMetadata().getLabels()).as("not the reaper's to take").doesNotContainKey(Labels.MANAGED_BY);
    assertThat(cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(first).get()).isNull();

    runtime.create(SandboxSpec.builder("busybox:1.36").name(allowing).egress(EgressPolicy.allow("10.20.0.0/16")).build(),
        new SandboxOwner("sandbox/" + allowing, "r3"));
    assertThat(pod(allowing).getMetadata().getLabels()).doesNotContainKey(Labels.NETWORK_POLICY);
    assertThat(cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(allowing).get()
        .getSpec().getEgress()).isNotEmpty();

    // a worker's informer holds its sandboxes' pods (its waits start it): the delete reads the
    // label there rather than asking the API server
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gateway.cachedPodsOfSandbox(first).size() == 1
        && gateway.cachedPodsOfSandbox(second).size() == 1);
    int beforeDeletes = cluster.api.writes().size();
    runtime.delete(first);
    runtime.delete(second);
    // (the simulated kubelet's status patches of other pods aside)
    List<String> deletes = cluster.api.writes().subList(beforeDeletes, cluster.api.writes().size()).stream()
        .filter(w -> !w.endsWith("/status")).toList();
    assertThat(policyWrites(deletes)).as("policy writes of deleting two sandboxes under the shared policy").isZero();
    assertThat(deletes).as("the requests of deleting two sandboxes without the agent: their pods")
        .allMatch(w -> w.startsWith("DELETE /api/v1/namespaces/" + NAMESPACE + "/pods/")).hasSize(2);
    runtime.delete(allowing);
    assertThat(cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(allowing).get()).isNull();
    assertThat(cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(shared).get())
        .as("the shared policy stays").isNotNull();
    assertThat(cluster.runtime.ownedObjects()).extracting(o -> o.name()).doesNotContain(shared);
  }
}
