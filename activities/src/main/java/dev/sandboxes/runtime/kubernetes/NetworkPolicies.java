package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.EgressPolicy;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sandbox's network policy, as pure functions: one NetworkPolicy shared by every sandbox whose
 * egress denies all ({@link #shared}), or one that selects only its pod ({@link #of}).
 * Egress: deny all is type Egress without rules; an allow list permits those CIDRs (less the
 * link-local range of cloud metadata when a CIDR is wider than it, {@link #linkLocalExcept}) plus
 * DNS (port 53, UDP and TCP, to the cluster's DNS servers when they are known,
 * {@link KubernetesRuntimeOptions.ClusterDns}, else to any destination) so host names still resolve; an allow list of
 * hosts permits the egress proxy's pods on their port ({@link EgressProxy}) plus DNS; unrestricted
 * egress needs no egress rules. Ingress is left to the namespace's own policies, except for the
 * in-sandbox agent's port when the agent's clients are known ({@link AgentIngress}): that port
 * admits only them, every other port stays open to anyone as without the policy. No rules at all
 * means no policy.
 *
 * <p>A NetworkPolicy is only enforced when the cluster's network plugin supports it.
 */
public final class NetworkPolicies {
  private NetworkPolicies() {}

  /** The NetworkPolicy's name for the sandbox {@code sandbox}: the sandbox name itself. */
  public static String policyName(String sandbox) {
    return sandbox;
  }

  /**
   * Who may reach a sandbox's agent: the pods with {@code labels} in {@code namespace} (the
   * worker's), on {@code port}.
   */
  public record AgentIngress(int port, String namespace, Map<String, String> labels) {
    public AgentIngress {
      labels = Map.copyOf(labels);
    }
  }

  /** The policy for {@code sandbox} without the agent's ingress rule (see {@link #of}). */
  public static Optional<NetworkPolicy> egress(String sandbox, EgressPolicy egress,
      dev.sandboxes.model.SandboxOwner owner) {
    return of(sandbox, egress, owner, null);
  }

  /**
   * The policy for {@code sandbox}: its egress, and with {@code agent} its agent's port admitting
   * only the agent's clients; empty when egress is unrestricted and {@code agent} is null.
   */
  public static Optional<NetworkPolicy> of(String sandbox, EgressPolicy egress,
      dev.sandboxes.model.SandboxOwner owner, AgentIngress agent) {
    return of(sandbox, egress, owner, agent, null);
  }

  /**
   * The policy for {@code sandbox} as {@link #of(String, EgressPolicy, dev.sandboxes.model.SandboxOwner, AgentIngress)}
   * makes it, with egress to {@code proxy}'s pods when {@code egress} allows hosts (which needs a
   * proxy: {@link IllegalArgumentException} without one).
   */
  public static Optional<NetworkPolicy> of(String sandbox, EgressPolicy egress,
      dev.sandboxes.model.SandboxOwner owner, AgentIngress agent, EgressProxy proxy) {
    return of(sandbox, egress, owner, agent, proxy, null);
  }

  /**
   * The policy for {@code sandbox} as {@link #of(String, EgressPolicy, dev.sandboxes.model.SandboxOwner, AgentIngress, EgressProxy)}
   * makes it, its DNS rule reaching only {@code dns} when that is not null.
   */
  public static Optional<NetworkPolicy> of(String sandbox, EgressPolicy egress,
      dev.sandboxes.model.SandboxOwner owner, AgentIngress agent, EgressProxy proxy,
      KubernetesRuntimeOptions.ClusterDns dns) {
    if (!egress.allowedHosts().isEmpty() && proxy == null) {
      throw new IllegalArgumentException("an allow list of hosts needs the egress proxy");
    }
    if (egress.unrestricted() && agent == null) {
      return Optional.empty();
    }
    Map<String, String> selector = PodSpecs.selector(sandbox);
    return Optional.of(new NetworkPolicyBuilder()
        .withNewMetadata().withName(policyName(sandbox)).withLabels(selector)
          .withAnnotations(Owners.annotations(owner)).endMetadata()
        .withSpec(spec(Map.of(Labels.SANDBOX, sandbox), egress, agent, proxy, dns))
        .build());
  }

  /** The shared policies' names by rule set ({@link #shared}): a digest, computed once each. */
  private static final Map<List<Object>, String> SHARED_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The policy shared by every sandbox whose egress denies all (with {@code agent}, the agent's
   * ingress rule too), or empty for any other egress: such a sandbox needs nothing of its own, so
   * its create and delete write no policy. Its name carries a digest of its spec, and it selects
   * the pods labelled {@link Labels#NETWORK_POLICY} with that name: a worker whose agent port or
   * worker labels differ makes and selects its own, never replacing one that confines running
   * pods. It carries no owner and no {@link Labels#MANAGED_BY}, so the reaper never takes it; it
   * stays in the namespace (a few hundred bytes) once made.
   */
  public static Optional<NetworkPolicy> shared(EgressPolicy egress, AgentIngress agent) {
    if (!egress.deniesAll()) {
      return Optional.empty();
    }
    NetworkPolicySpec unselected = spec(Map.of(), egress, agent, null, null);
    // digested once per rule set: every create and every claim of a denied sandbox asks for it
    String name = SHARED_NAMES.computeIfAbsent(java.util.Arrays.asList(egress, agent),
        k -> "sandboxes-shared-" + SpecDigests.of(unselected, "a shared network policy"));
    return Optional.of(new NetworkPolicyBuilder()
        .withNewMetadata().withName(name).withLabels(Map.of(Labels.ROLE, Labels.SHARED_POLICY_ROLE)).endMetadata()
        .withSpec(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpecBuilder(unselected)
            .withNewPodSelector().withMatchLabels(new java.util.TreeMap<>(Map.of(Labels.MANAGED_BY,
                Labels.MANAGED_BY_VALUE, Labels.NETWORK_POLICY, name))).endPodSelector().build())
        .build());
  }

  /**
   * The shared policy that confines {@code spec}'s pod under {@code options} (its egress, or the
   * worker's default; the agent's ingress when the pod runs the agent), or empty when the sandbox
   * needs a policy of its own ({@link #of}) or none.
   */
  public static Optional<NetworkPolicy> sharedFor(dev.sandboxes.model.SandboxSpec spec, KubernetesRuntimeOptions options) {
    return shared(egressOf(spec, options), AgentPods.applies(spec, options) ? options.agentIngress() : null);
  }

  /** The sandbox's egress: its own, or the worker's default. */
  static EgressPolicy egressOf(dev.sandboxes.model.SandboxSpec spec, KubernetesRuntimeOptions options) {
    return spec.egress() != null ? spec.egress() : options.defaultEgress();
  }

  /**
   * The rules for pods matching {@code podLabels}; types Egress unless unrestricted, Ingress with
   * {@code agent}; {@code proxy} is reached when {@code egress} allows hosts, DNS at {@code dns}
   * (any address when null) when it allows anything.
   */
  private static NetworkPolicySpec spec(Map<String, String> podLabels, EgressPolicy egress, AgentIngress agent,
      EgressProxy proxy, KubernetesRuntimeOptions.ClusterDns dns) {
    List<String> types = new java.util.ArrayList<>();
    if (!egress.unrestricted()) {
      types.add("Egress");
    }
    if (agent != null) {
      types.add("Ingress");
    }
    List<NetworkPolicyEgressRule> rules = new java.util.ArrayList<>();
    if (!egress.allowedCidrs().isEmpty()) {
      List<NetworkPolicyPeer> peers = egress.allowedCidrs().stream()
          .map(cidr -> new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(cidr)
              .withExcept(linkLocalExcept(cidr)).endIpBlock().build())
          .toList();
      rules.add(new NetworkPolicyEgressRuleBuilder().withTo(peers).build());
    }
    if (!egress.allowedHosts().isEmpty()) {
      rules.add(new NetworkPolicyEgressRuleBuilder()
          .withTo(podsIn(proxy.namespace(), new java.util.TreeMap<>(proxy.podLabels())))
          .addNewPort().withProtocol("TCP").withPort(new IntOrString(proxy.port())).endPort()
          .build());
    }
    if (!rules.isEmpty()) {
      rules.add(new NetworkPolicyEgressRuleBuilder()
          .withTo(dnsPeers(dns))
          .withPorts(
              new NetworkPolicyPortBuilder().withProtocol("UDP").withPort(new IntOrString(53)).build(),
              new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(53)).build())
          .build());
    }
    return new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpecBuilder()
        .withNewPodSelector().withMatchLabels(podLabels).endPodSelector()
        .withPolicyTypes(types)
        // empty lists, never null: a re-sent create compares this spec with the one the server
        // returns, which reads absent lists as empty (KubernetesGateway.sameIntent)
        .withEgress(egress.unrestricted() ? List.of() : rules)
        .withIngress(agent == null ? List.of() : agentIngress(agent))
        .build();
  }

  /** The cluster's DNS servers as policy peers; none (any destination) when they are not known. */
  private static List<NetworkPolicyPeer> dnsPeers(KubernetesRuntimeOptions.ClusterDns dns) {
    List<NetworkPolicyPeer> peers = new java.util.ArrayList<>();
    if (dns == null) {
      return peers;
    }
    if (dns.pods() != null) {
      peers.add(podsIn(dns.pods().namespace(), new java.util.TreeMap<>(dns.pods().labels())));
    }
    dns.cidrs().forEach(cidr -> peers.add(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(cidr).endIpBlock().build()));
    return peers;
  }

  /**
   * The link-local range carved out of an allowed CIDR that contains it: {@code 169.254.0.0/16}
   * (where clouds serve instance metadata and credentials, at {@code 169.254.169.254}) out of an
   * IPv4 CIDR wider than it, such as {@code 0.0.0.0/0}, and {@code fe80::/10} out of an IPv6 one.
   * A CIDR inside the range is an explicit allow and is kept whole; any other gets no exception.
   */
  static List<String> linkLocalExcept(String cidr) {
    int slash = cidr.indexOf('/');
    byte[] network;
    try {
      // an address literal, as the spec's validation has checked: no name lookup happens
      network = java.net.InetAddress.getByName(slash < 0 ? cidr : cidr.substring(0, slash)).getAddress();
    } catch (java.net.UnknownHostException e) {
      return List.of();
    }
    if (cidr.contains(":") && network.length == 4) {
      // an IPv4-mapped IPv6 CIDR (::ffff:0.0.0.0/96), which InetAddress hands back as IPv4: the
      // family is the text's, as the spec's validation reads it
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(network, 0, mapped, 12, 4);
      network = mapped;
    }
    int prefix = slash < 0 ? network.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
    byte[] range = network.length == 4 ? new byte[] {(byte) 169, (byte) 254, 0, 0}
        : new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    int rangePrefix = network.length == 4 ? 16 : 10;
    if (prefix >= rangePrefix) {
      return List.of();
    }
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((network[bit / 8] & mask) != (range[bit / 8] & mask)) {
        return List.of();
      }
    }
    return List.of(network.length == 4 ? "169.254.0.0/16" : "fe80::/10");
  }

  /** The pods with {@code labels} in the namespace {@code namespace}: both selectors in one peer. */
  private static NetworkPolicyPeer podsIn(String namespace, Map<String, String> labels) {
    return new NetworkPolicyPeerBuilder()
        .withNewNamespaceSelector().withMatchLabels(Map.of("kubernetes.io/metadata.name", namespace)).endNamespaceSelector()
        .withNewPodSelector().withMatchLabels(labels).endPodSelector()
        .build();
  }

  /** The agent's port from its clients alone; every other port, of every protocol, from anyone. */
  private static List<NetworkPolicyIngressRule> agentIngress(AgentIngress agent) {
    NetworkPolicyIngressRule clients = new NetworkPolicyIngressRuleBuilder()
        .withFrom(podsIn(agent.namespace(), agent.labels()))
        .addNewPort().withProtocol("TCP").withPort(new IntOrString(agent.port())).endPort()
        .build();
    List<NetworkPolicyPort> others = new java.util.ArrayList<>();
    if (agent.port() > 1) {
      others.add(range("TCP", 1, agent.port() - 1));
    }
    if (agent.port() < 65535) {
      others.add(range("TCP", agent.port() + 1, 65535));
    }
    others.add(range("UDP", 1, 65535));
    others.add(range("SCTP", 1, 65535));
    return List.of(clients, new NetworkPolicyIngressRuleBuilder().withPorts(others).build());
  }

  private static NetworkPolicyPort range(String protocol, int from, int to) {
    return new NetworkPolicyPortBuilder().withProtocol(protocol).withPort(new IntOrString(from))
        .withEndPort(to).build();
  }
}
