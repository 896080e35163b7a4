package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A deny-all sandbox's agent waits for its pod's policy before it starts the command
 * ({@code --await-confined}) exactly when the start-up probe found NetworkPolicy enforced: never
 * before the verdict, never on a network that ignores policies (nothing would ever confine the
 * pod), never for a sandbox whose egress is not deny-all. On the rig NetworkIsolationClusterTest
 * sees a default sandbox's first packet refused.
 */
class KubernetesConfinedStartTest {
  @RegisterExtension
  static final MockCluster cluster = MockCluster.start(b -> b.agentImage("sandboxes-agent:test"));

  List<String> commandOf(SandboxSpec.Builder spec) throws Exception {
    String name = MockCluster.unique("confined");
    cluster.runtime.create(spec.name(name).build(), new SandboxOwner("sandbox/" + name, "run-1"));
    return cluster.client.pods().inNamespace(MockCluster.NAMESPACE).withName(name).get()
        .getSpec().getContainers().get(0).getCommand();
  }

  @Test
  void onlyAfterTheProbeFoundPoliciesEnforcedAndOnlyForDenyAll() throws Exception {
    assertThat(commandOf(SandboxSpec.builder("busybox:1.36"))).as("before the verdict").doesNotContain("--await-confined");

    cluster.kubelet.scriptExit(NetworkPolicyProbeTest::confined, 1);
    assertThat(cluster.runtime.probeNetworkPolicies(Duration.ofSeconds(20)).verdict())
        .isEqualTo(NetworkPolicyProbe.Verdict.ENFORCED);
    List<String> denied = commandOf(SandboxSpec.builder("busybox:1.36"));
    assertThat(denied).contains("--await-confined");
    assertThat(denied.indexOf("--await-confined")).isLessThan(denied.indexOf("--idle"));
    List<String> running = commandOf(SandboxSpec.builder("busybox:1.36").command("sh", "-c", "echo hi"));
    assertThat(running.indexOf("--await-confined")).as("%s", running).isPositive().isLessThan(running.indexOf("--"));
    assertThat(commandOf(SandboxSpec.builder("busybox:1.36").egress(EgressPolicy.allow("10.0.0.0/8"))))
        .doesNotContain("--await-confined");
    assertThat(commandOf(SandboxSpec.builder("busybox:1.36").egress(EgressPolicy.allowAll())))
        .doesNotContain("--await-confined");

    cluster.kubelet.clearExitRules();
    assertThat(cluster.runtime.probeNetworkPolicies(Duration.ofSeconds(20)).verdict())
        .isEqualTo(NetworkPolicyProbe.Verdict.NOT_ENFORCED);
    assertThat(commandOf(SandboxSpec.builder("busybox:1.36"))).as("on a network that ignores policies")
        .doesNotContain("--await-confined");
  }
}
