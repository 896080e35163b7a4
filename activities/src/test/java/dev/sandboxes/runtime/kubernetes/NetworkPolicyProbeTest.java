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
  void clearScriptsAndPods() {
    cluster.kubelet.clearExitRules();
    cluster.client.pods().inNamespace(MockCluster.NAMESPACE).withLabel(Labels.ROLE, NetworkPolicyProbe.ROLE).delete();
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
    assertThat(result.detail()).isEqualTo("a pod under a deny-all egress NetworkPolicy could not connect to the Kubernetes API server's Service; an unconfined one could");
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
  void podsThatDoNotEndInTimeAreUnknownAndDeletedButAnotherWorkersRunningProbeIsLeftAlone() {
    Pod running = idle(NetworkPolicyProbe.pod("sandboxes-network-probe-other-open", false, cluster.options()));
    cluster.client.pods().inNamespace(MockCluster.NAMESPACE).resource(running).create();

    Instant t0 = Instant.now();
    NetworkPolicyProbe.Result result = NetworkPolicyProbe.run(slow(), cluster.options(), Duration.ofMillis(800));

    // not held until the pods end (their deadline is 60 s): about a second, but the mock API
    // server's watch close can stall its event loop for 30 s (see SimulatedApiServer.REQUEST_TIMEOUT_MILLIS)
    assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(NetworkPolicyProbe.POD_DEADLINE_SECONDS - 5));
    assertThat(result.verdict()).isEqualTo(NetworkPolicyProbe.Verdict.UNKNOWN);
    assertThat(result.detail()).contains("did not finish in time").contains("control still running");
    assertThat(probePods()).as("only another worker's probe, still running, is left")
        .extracting(p -> p.getMetadata().getName()).containsExactly("sandboxes-network-probe-other-open");
  }

  @Test
  void aProbeLeftPastItsDeadlineByAWorkerThatDiedIsDeleted() {
    Pod left = idle(NetworkPolicyProbe.pod("sandboxes-network-probe-left-open", false, cluster.options()));
    cluster.client.pods().inNamespace(MockCluster.NAMESPACE).resource(left).create();

    // a minute and more after the leftover was made
    NetworkPolicyProbe.run(slow(), cluster.options(), Duration.ofMillis(300),
        Instant.now().plusSeconds(NetworkPolicyProbe.POD_DEADLINE_SECONDS + 5));

    assertThat(probePods()).isEmpty();
  }

  /** A gateway whose probe pods never end. */
  static KubernetesGateway slow() {
    return new KubernetesGateway(cluster.client, MockCluster.NAMESPACE) {
      @Override
      public Pod createPod(Pod pod) {
        return super.createPod(idle(pod));
      }
    };
  }

  /** {@code pod} with the idle command, which the simulated kubelet keeps running: a probe pod that never ends. */
  static Pod idle(Pod pod) {
    return new PodBuilder(pod).editSpec().editFirstContainer().withCommand(dev.sandboxes.model.SandboxSpec.IDLE_COMMAND)
        .endContainer().endSpec().build();
  }

  @Test
  void onlyNcsOwnExitCodesCountAKilledPodTellsNothing() {
    Instant at = Instant.now();
    assertThat(NetworkPolicyProbe.verdict(0, 137, at).verdict()).isEqualTo(NetworkPolicyProbe.Verdict.UNKNOWN);
    assertThat(NetworkPolicyProbe.verdict(0, 137, at).detail()).contains("confined probe pod ended with exit 137");
    assertThat(NetworkPolicyProbe.verdict(143, 1, at).verdict()).isEqualTo(NetworkPolicyProbe.Verdict.UNKNOWN);
    assertThat(NetworkPolicyProbe.verdict(0, 1, at).verdict()).isEqualTo(NetworkPolicyProbe.Verdict.ENFORCED);
    assertThat(NetworkPolicyProbe.verdict(0, 0, at).verdict()).isEqualTo(NetworkPolicyProbe.Verdict.NOT_ENFORCED);
    assertThat(NetworkPolicyProbe.verdict(1, 1, at).verdict()).isEqualTo(NetworkPolicyProbe.Verdict.UNKNOWN);
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
      String once = "nc -w 3 \"$KUBERNETES_SERVICE_HOST\" \"$KUBERNETES_SERVICE_PORT\" </dev/null";
      assertThat(container.getCommand()).containsExactly("sh", "-c", confined
          ? "i=0; while [ $i -lt 20 ]; do " + once + " || exit 1; i=$((i+1)); sleep 1; done; exit 0" : once);
      assertThat(pod.getMetadata().getLabels().containsKey(NetworkPolicyProbe.CONFINED)).isEqualTo(confined);
    }
    assertThat(NetworkPolicyProbe.policy().getMetadata().getLabels()).isEqualTo(Map.of(Labels.ROLE, NetworkPolicyProbe.ROLE));
  }
}
