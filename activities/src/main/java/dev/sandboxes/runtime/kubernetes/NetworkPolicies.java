package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.EgressPolicy;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sandbox's egress policy rendered as a NetworkPolicy that selects only its pod, as a pure
 * function. Deny all is a policy of type Egress without rules; an allow list permits those
 * CIDRs plus DNS (port 53, UDP and TCP, to any destination) so host names still resolve;
 * unrestricted egress needs no policy at all. Ingress is left to the namespace's own policies.
 *
 * <p>A NetworkPolicy is only enforced when the cluster's network plugin supports it.
 */
public final class NetworkPolicies {
  private NetworkPolicies() {}

  /** The NetworkPolicy's name for the sandbox {@code sandbox}: the sandbox name itself. */
  public static String policyName(String sandbox) {
    return sandbox;
  }

  /** The policy for {@code sandbox}, or empty when {@code egress} is unrestricted. */
  public static Optional<NetworkPolicy> egress(String sandbox, EgressPolicy egress,
      dev.sandboxes.model.SandboxOwner owner) {
    if (egress.unrestricted()) {
      return Optional.empty();
    }
    List<NetworkPolicyEgressRule> rules = List.of();
    if (!egress.deniesAll()) {
      List<NetworkPolicyPeer> peers = egress.allowedCidrs().stream()
          .map(cidr -> new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(cidr).endIpBlock()
              .build())
          .toList();
      NetworkPolicyEgressRule allowed = new NetworkPolicyEgressRuleBuilder().withTo(peers).build();
      NetworkPolicyEgressRule dns = new NetworkPolicyEgressRuleBuilder()
          .withPorts(
              new NetworkPolicyPortBuilder().withProtocol("UDP").withPort(new IntOrString(53)).build(),
              new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(53)).build())
          .build();
      rules = List.of(allowed, dns);
    }
    Map<String, String> selector = PodSpecs.selector(sandbox);
    return Optional.of(new NetworkPolicyBuilder()
        .withNewMetadata().withName(policyName(sandbox)).withLabels(selector)
          .withAnnotations(Owners.annotations(owner)).endMetadata()
        .withNewSpec()
          .withNewPodSelector().withMatchLabels(Map.of(Labels.SANDBOX, sandbox)).endPodSelector()
          .withPolicyTypes("Egress")
          .withEgress(rules)
        .endSpec()
        .build());
  }
}
