package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The start-up check of NetworkPolicy enforcement ({@link NetworkPolicyProbe}) on the mock API
 * server, whose simulated kubelet ends each probe pod with the exit code a real network would
 * give it: the verdict from the two pods, the pods and policy it makes, and that it leaves no pod.
 * On the rig, NetworkIsolationClusterTest sees the real worker's verdict.
 */
class NetworkPolicyProbeTest {
  @RegisterExtension
  static final MockCluster cluster = MockCluster.start();

  static boolean confined(Pod pod) {
    return "confined".equals(pod.getMetadata().getLabels().get(NetworkPolicyProbe.CONFINED));
  }

  static boolean probe(Pod pod) {
    return NetworkPolicyProbe.ROLE.equals(pod.getMetadata().getLabels().get(Labels.ROLE));
  }

  @AfterEach
  void clearScripts() {
    cluster.kubelet.clearExitRules();
  }

  NetworkPolicyProbe.Result run(Duration limit) {
    return NetworkPolicyProbe.run(new KubernetesGateway(cluster.client, MockCluster.NAMESPACE), cluster.options(), limit);
  }

  List<Pod> probePods() {
    return cluster.client.pods().inNamespace(MockCluster.NAMESPACE)
        .withLabel(Labels.ROLE, NetworkPolicyProbe.ROLE).list().getItems();
  }

  @Test
  void theConfinedPodRefusedAndTheControlConnectedMeansEnforced() {
    cluster.kubelet.scriptExit(NetworkPolicyProbeTest::confined, 1);

    NetworkPolicyProbe.Result result = run(Duration.ofSeconds(20));

    assertThat(result.verdict()).isEqualTo(NetworkPolicyProbe.Verdict.ENFORCED);
    assertThat(result.detail()).contains("could not connect to the Kubernetes API server's Service (exit 1)");
    assertThat(probePods()).as("no probe pod left").isEmpty();
    NetworkPolicy policy = cluster.client.network().v1().networkPolicies().inNamespace(MockCluster.NAMESPACE)
        .withName(NetworkPolicyProbe.POLICY_NAME).get();
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Egress");
    assertThat(policy.getSpec().getEgress()).as("no egress rule: deny all").isEmpty();
    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry(NetworkPolicyProbe.CONFINED, "confined");
  }

  @Test
  void bothPodsConnectingMeansNotEnforcedWithAnAdviceToTheOperator() {
    NetworkPolicyProbe.Result result = run(Duration.ofSeconds(20));

    assertThat(result.verdict()).isEqualTo(NetworkPolicyProbe.Verdict.NOT_ENFORCED);
    assertThat(result.detail()).contains("does not enforce NetworkPolicy").contains("install a network plugin");
    assertThat(probePods()).isEmpty();
  }

  @Test
  void aControlThatCannotConnectEitherTellsNothing() {
    cluster.kubelet.scriptExit(NetworkPolicyProbeTest::probe, 1);

    NetworkPolicyProbe.Result result = run(Duration.ofSeconds(20));

    assertThat(result.verdict()).isEqualTo(NetworkPolicyProbe.Verdict.UNKNOWN);
    assertThat(result.detail()).contains("unconfined probe pod could not connect");
  }

  @Test
  void podsThatDoNotEndInTimeAreUnknownAndDeletedAndThoseOfAnEarlierProbeGoToo() {
    Pod earlier = new PodBuilder(NetworkPolicyProbe.pod("sandboxes-network-probe-earlier-open", false, cluster.options()))
        // the simulated kubelet keeps a pod with the idle command running: a probe pod that never ends
        .editSpec().editFirstContainer().withCommand(dev.sandboxes.model.SandboxSpec.IDLE_COMMAND).endContainer().endSpec()
        .build();
    cluster.client.pods().inNamespace(MockCluster.NAMESPACE).resource(earlier).create();
    KubernetesGateway slow = new KubernetesGateway(cluster.client, MockCluster.NAMESPACE) {
      @Override
      public Pod createPod(Pod pod) {
        return super.createPod(new PodBuilder(pod).editSpec().editFirstContainer()
            .withCommand(dev.sandboxes.model.SandboxSpec.IDLE_COMMAND).endContainer().endSpec().build());
      }
    };

    Instant t0 = Instant.now();
    NetworkPolicyProbe.Result result = NetworkPolicyProbe.run(slow, cluster.options(), Duration.ofMillis(800));

    assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(10));
    assertThat(result.verdict()).isEqualTo(NetworkPolicyProbe.Verdict.UNKNOWN);
    assertThat(result.detail()).contains("did not finish in time").contains("control still running");
    assertThat(probePods()).as("the earlier probe's pod and this one's").isEmpty();
  }

  @Test
  void anApiErrorIsAnUnknownVerdictNamingIt() {
    KubernetesGateway forbidden = new KubernetesGateway(cluster.client, MockCluster.NAMESPACE) {
      @Override
      public Pod createPod(Pod pod) {
        throw new io.fabric8.kubernetes.client.KubernetesClientException(new io.fabric8.kubernetes.api.model.StatusBuilder()
            .withCode(403).withMessage("pods is forbidden: User cannot create resource").build());
      }
    };

    NetworkPolicyProbe.Result result = NetworkPolicyProbe.run(forbidden, cluster.options(), Duration.ofSeconds(5));

    assertThat(result.verdict()).isEqualTo(NetworkPolicyProbe.Verdict.UNKNOWN);
    assertThat(result.detail()).isEqualTo("the probe could not run: HTTP 403 pods is forbidden: User cannot create resource");
  }

  @Test
  void theProbePodsRunAsRestrictedPodSecurityAsksAndAreNoSandboxes() {
    for (boolean confined : List.of(false, true)) {
      Pod pod = NetworkPolicyProbe.pod("p", confined, cluster.options());
      assertThat(pod.getMetadata().getLabels()).doesNotContainKey(Labels.MANAGED_BY).doesNotContainKey(Labels.SANDBOX)
          .containsEntry(Labels.ROLE, NetworkPolicyProbe.ROLE);
      var container = pod.getSpec().getContainers().get(0);
      assertThat(container.getImage()).isEqualTo(cluster.options().helperImage());
      assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(pod.getSpec().getActiveDeadlineSeconds()).isEqualTo(NetworkPolicyProbe.POD_DEADLINE_SECONDS);
      assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
      assertThat(container.getCommand()).containsExactly("sh", "-c",
          (confined ? "sleep 2; " : "") + "nc -w 3 \"$KUBERNETES_SERVICE_HOST\" \"$KUBERNETES_SERVICE_PORT\" </dev/null");
      assertThat(pod.getMetadata().getLabels().containsKey(NetworkPolicyProbe.CONFINED)).isEqualTo(confined);
    }
    assertThat(NetworkPolicyProbe.policy().getMetadata().getLabels()).isEqualTo(Map.of(Labels.ROLE, NetworkPolicyProbe.ROLE));
  }
}
