package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A sandbox that allows hosts, created against the mock API server: with the egress proxy it
 * gets its own policy to the proxy and the proxy's variables; without one it is refused before
 * anything exists. The proxy's own behaviour is agent/egressproxy_test.go's; the whole path is
 * NetworkIsolationClusterTest's on the rig.
 */
class KubernetesAllowedHostsTest {
  static final EgressProxy PROXY = EgressProxy.of("w-egress-proxy.sandboxes-system.svc:3128", "sandboxes-system",
      "app.kubernetes.io/name=egress-proxy", 3128,
      EgressProxy.Key.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));

  @RegisterExtension
  static final MockCluster withProxy = MockCluster.start(b -> b.agentImage("sandboxes-agent:test").egressProxy(PROXY));
  @RegisterExtension
  static final MockCluster withoutProxy = MockCluster.start(b -> b.agentImage("sandboxes-agent:test"));

  @Test
  void withTheProxyTheSandboxGetsItsPolicyAndItsVariables() {
    String name = MockCluster.unique("hosts");
    withProxy.runtime.create(SandboxSpec.builder("busybox:1.36").name(name)
        .egress(EgressPolicy.allowHosts("pypi.org:443")).build(), new SandboxOwner("sandbox/" + name, "run-1"));
    var pod = withProxy.client.pods().inNamespace(MockCluster.NAMESPACE).withName(name).get();
    assertThat(pod.getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName)
        .contains("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy");
    // not the shared deny-all policy: one of its own, to the proxy
    assertThat(pod.getMetadata().getLabels()).doesNotContainKey(Labels.NETWORK_POLICY);
    var policy = withProxy.client.network().v1().networkPolicies().inNamespace(MockCluster.NAMESPACE)
        .withName(NetworkPolicies.policyName(name)).get();
    assertThat(policy.getSpec().getEgress().get(0).getTo().get(0).getPodSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/name", "egress-proxy");
  }

  @Test
  void withoutTheProxyTheSandboxIsRefusedNamingTheFieldAndNothingIsCreated() {
    String name = MockCluster.unique("hosts");
    assertThatThrownBy(() -> withoutProxy.runtime.create(SandboxSpec.builder("busybox:1.36").name(name)
        .egress(EgressPolicy.allowHosts("pypi.org:443")).build(), new SandboxOwner("sandbox/" + name, "run-1")))
        .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("egress.allowedHosts"))
        .hasMessageContaining("needs the worker's egress proxy");
    assertThat(withoutProxy.client.pods().inNamespace(MockCluster.NAMESPACE).withName(name).get()).isNull();
    assertThat(withoutProxy.client.network().v1().networkPolicies().inNamespace(MockCluster.NAMESPACE)
        .withName(NetworkPolicies.policyName(name)).get()).isNull();
    assertThat(withoutProxy.client.secrets().inNamespace(MockCluster.NAMESPACE).withName(AgentPods.secretName(name)).get())
        .isNull();
  }
}
