package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Host-name allow lists: the proxy's token, the sandbox's environment and its network policy. */
class EgressProxyTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final SandboxOwner OWNER = new SandboxOwner("sandbox/web-1", "run-1");
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final EgressProxy PROXY = EgressProxy.of("sandboxes-worker-egress-proxy.sandboxes-system.svc:3128",
      "sandboxes-system", "app.kubernetes.io/name=sandboxes-egress-proxy,app.kubernetes.io/instance=w", 3128,
      EgressProxy.Key.of(KEY)).withClock(Clock.fixed(NOW, ZoneOffset.UTC));
  private static final KubernetesRuntimeOptions OPTIONS = KubernetesRuntimeOptions.newBuilder().egressProxy(PROXY).build();

  @Test
  void theTokenIsTheOneTheProxysTestsVerify() {
    // the vector of agent/egresstoken_test.go: the same key and payload give the same token
    String token = PROXY.token("sb-1", List.of("pypi.org:443", "*.example.org"), Instant.ofEpochSecond(4102444800L));
    assertThat(token).isEqualTo("eyJ2IjoxLCJzYW5kYm94Ijoic2ItMSIsImhvc3RzIjpbInB5cGkub3JnOjQ0MyIsIiouZXhhbXBsZS5vcmciXSwiZXhwIjo0MTAyNDQ0ODAwfQ"
        + ".Jrg4EFZ89UjhoUUoNtf7IoxMyTEvrra9JsiFAe2KJCc");
    // another key signs another MAC over the same payload
    EgressProxy other = EgressProxy.of("p:3128", "ns", "a=b", 3128, EgressProxy.Key.of("x".repeat(32).getBytes(StandardCharsets.US_ASCII)));
    String forged = other.token("sb-1", List.of("pypi.org:443", "*.example.org"), Instant.ofEpochSecond(4102444800L));
    assertThat(forged.substring(0, forged.indexOf('.'))).isEqualTo(token.substring(0, token.indexOf('.')));
    assertThat(forged).isNotEqualTo(token);
  }

  @Test
  void theKeyFileIsTrimmedAndMustHoldThirtyTwoBytes() {
    String padded = "  0123456789abcdef0123456789abcdef\n";
    assertThat(EgressProxy.of("p:3128", "ns", "a=b", 3128, EgressProxy.Key.of(padded.getBytes(StandardCharsets.US_ASCII)))
        .token("s", List.of("h"), Instant.ofEpochSecond(100)))
        .isEqualTo(PROXY.token("s", List.of("h"), Instant.ofEpochSecond(100)));
    // ASCII whitespace alone, as Go's proxy trims it: a binary key's other bytes are the key's
    byte[] binary = new byte[34];
    java.util.Arrays.fill(binary, (byte) 0x41);
    binary[0] = (byte) 0xa0;
    binary[33] = (byte) 0x1c;
    assertThat(EgressProxy.of("p:3128", "ns", "a=b", 3128, EgressProxy.Key.of(binary)).token("s", List.of("h"), Instant.ofEpochSecond(100)))
        .isNotEqualTo(EgressProxy.of("p:3128", "ns", "a=b", 3128, EgressProxy.Key.of(java.util.Arrays.copyOfRange(binary, 1, 33)))
            .token("s", List.of("h"), Instant.ofEpochSecond(100)));
    assertThatThrownBy(() -> EgressProxy.Key.of("short\n".getBytes(StandardCharsets.US_ASCII)))
        .hasMessage("the egress proxy's key is 5 bytes; at least 32 are required");
    assertThat(EgressProxy.Key.of(KEY).toString()).doesNotContain("0123");
  }

  @Test
  void aBadAddressSelectorOrPortIsNamed() {
    EgressProxy.Key key = EgressProxy.Key.of(KEY);
    assertThatThrownBy(() -> EgressProxy.of("http://proxy:3128", "ns", "a=b", 3128, key)).hasMessageContaining("must be HOST:PORT");
    assertThatThrownBy(() -> EgressProxy.of("proxy", "ns", "a=b", 3128, key)).hasMessageContaining("must be HOST:PORT");
    assertThatThrownBy(() -> EgressProxy.of("proxy:70000", "ns", "a=b", 3128, key)).hasMessageContaining("must be HOST:PORT");
    assertThatThrownBy(() -> EgressProxy.of("proxy:3128", "ns", "nolabel", 3128, key)).hasMessageContaining("KEY=VALUE");
    assertThatThrownBy(() -> EgressProxy.of("proxy:3128", "ns", "a=b", 0, key)).hasMessageContaining("1 to 65535");
  }

  @Test
  void aSandboxThatAllowsHostsGetsTheProxyInItsEnvironmentWithATokenForItsHostsAndLifetime() throws Exception {
    SandboxSpec spec = SandboxSpec.builder("python:3.12-slim").name("web-1").ttl(Duration.ofMinutes(30))
        .scheduleTimeout(Duration.ofMinutes(2)).env("NO_PROXY", "internal.example")
        .egress(EgressPolicy.allowHosts("pypi.org:443", "*.pythonhosted.org")).build();
    Pod pod = PodSpecs.pod(spec, OWNER, OPTIONS);
    Map<String, String> env = pod.getSpec().getContainers().get(0).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env).containsOnlyKeys("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy");
    assertThat(env.get("NO_PROXY")).as("the spec's own").isEqualTo("internal.example");
    assertThat(env.get("no_proxy")).isEqualTo("localhost,127.0.0.1,::1");
    String url = env.get("HTTPS_PROXY");
    assertThat(env.get("http_proxy")).isEqualTo(url);
    assertThat(url).startsWith("http://sandbox:").endsWith("@sandboxes-worker-egress-proxy.sandboxes-system.svc:3128");
    String token = url.substring("http://sandbox:".length(), url.indexOf('@'));
    String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
    // expires when the pod can no longer run: scheduling, then its TTL and the runtime's grace
    long exp = NOW.plus(Duration.ofMinutes(2)).plus(Duration.ofMinutes(30)).plus(OPTIONS.ttlGrace()).getEpochSecond();
    assertThat(payload).isEqualTo("{\"v\":1,\"sandbox\":\"web-1\",\"hosts\":[\"pypi.org:443\",\"*.pythonhosted.org\"],\"exp\":" + exp + "}");
    assertThat(token).isEqualTo(PROXY.token("web-1", List.of("pypi.org:443", "*.pythonhosted.org"), Instant.ofEpochSecond(exp)));
  }

  @Test
  void aProxyVariableTheSpecSetsIsTheSpecsAndOtherSandboxesGetNone() {
    SandboxSpec own = SandboxSpec.builder("busybox:1.36").name("own-1").env("HTTPS_PROXY", "http://mine:8080")
        .egress(EgressPolicy.allowHosts("pypi.org")).build();
    List<EnvVar> env = PodSpecs.pod(own, OWNER, OPTIONS).getSpec().getContainers().get(0).getEnv();
    assertThat(env).filteredOn(v -> v.getName().equals("HTTPS_PROXY")).extracting(EnvVar::getValue)
        .containsExactly("http://mine:8080");
    assertThat(env).extracting(EnvVar::getName).contains("HTTP_PROXY", "https_proxy");
    for (EgressPolicy egress : List.of(EgressPolicy.denyAll(), EgressPolicy.allowAll(), EgressPolicy.allow("10.0.0.0/8"))) {
      Pod pod = PodSpecs.pod(SandboxSpec.builder("busybox:1.36").name("plain-1").egress(egress).build(), OWNER, OPTIONS);
      assertThat(pod.getSpec().getContainers().get(0).getEnv()).as(egress.toString()).isNull();
    }
  }

  @Test
  void thePolicyOfASandboxThatAllowsHostsAdmitsTheProxysPodsOnTheirPortAndDnsOnly() {
    NetworkPolicy policy = NetworkPolicies.of("web-1", EgressPolicy.allowHosts("pypi.org"), OWNER, null, PROXY).orElseThrow();
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Egress");
    var rules = policy.getSpec().getEgress();
    assertThat(rules).hasSize(2);
    var proxy = rules.get(0);
    assertThat(proxy.getTo()).singleElement().satisfies(peer -> {
      assertThat(peer.getIpBlock()).isNull();
      assertThat(peer.getNamespaceSelector().getMatchLabels()).containsExactly(Map.entry("kubernetes.io/metadata.name", "sandboxes-system"));
      assertThat(peer.getPodSelector().getMatchLabels()).containsOnly(
          Map.entry("app.kubernetes.io/name", "sandboxes-egress-proxy"), Map.entry("app.kubernetes.io/instance", "w"));
    });
    assertThat(proxy.getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getProtocol()).isEqualTo("TCP");
      assertThat(port.getPort().getIntVal()).isEqualTo(3128);
    });
    var dns = rules.get(1);
    assertThat(dns.getTo()).isEmpty();
    assertThat(dns.getPorts()).extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal()).containsExactly("UDP/53", "TCP/53");

    // CIDRs and hosts together: both rules, then DNS once
    var both = NetworkPolicies.of("web-2", new EgressPolicy(false, List.of("10.1.0.0/16"), List.of("pypi.org")), OWNER, null, PROXY)
        .orElseThrow().getSpec().getEgress();
    assertThat(both).hasSize(3);
    assertThat(both.get(0).getTo().get(0).getIpBlock().getCidr()).isEqualTo("10.1.0.0/16");
    assertThat(both.get(1).getTo().get(0).getPodSelector()).isNotNull();
    assertThat(both.get(2).getPorts()).hasSize(2);
    // without a proxy, no policy can say it
    assertThatThrownBy(() -> NetworkPolicies.of("web-3", EgressPolicy.allowHosts("pypi.org"), OWNER, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withTheClusterDnsKnownTheDnsRuleReachesItAlone() {
    var dns = new KubernetesRuntimeOptions.ClusterDns(
        KubernetesRuntimeOptions.AgentClients.parse("kube-system:k8s-app=kube-dns"), List.of("192.0.2.2/32"));
    var rules = NetworkPolicies.of("web-1", EgressPolicy.allowHosts("pypi.org"), OWNER, null, PROXY, dns)
        .orElseThrow().getSpec().getEgress();
    var peers = rules.get(1).getTo();
    assertThat(peers).hasSize(2);
    assertThat(peers.get(0).getNamespaceSelector().getMatchLabels()).containsExactly(Map.entry("kubernetes.io/metadata.name", "kube-system"));
    assertThat(peers.get(0).getPodSelector().getMatchLabels()).containsExactly(Map.entry("k8s-app", "kube-dns"));
    assertThat(peers.get(1).getIpBlock().getCidr()).isEqualTo("192.0.2.2/32");
    assertThat(rules.get(1).getPorts()).extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal()).containsExactly("UDP/53", "TCP/53");
    // CIDR allow lists too
    var cidrs = NetworkPolicies.of("web-2", EgressPolicy.allow("10.1.0.0/16"), OWNER, null, null, dns)
        .orElseThrow().getSpec().getEgress();
    assertThat(cidrs.get(1).getTo()).hasSize(2);
  }

  @Test
  void onANetworkThatEnforcesPoliciesASandboxOfHostsAloneStartsOnlyOnceConfined() {
    var options = OPTIONS.toBuilder().agentImage("sandboxes-agent:1").build();
    SandboxSpec hostsOnly = SandboxSpec.builder("busybox:1.36").name("h-1").egress(EgressPolicy.allowHosts("pypi.org")).build();
    assertThat(PodSpecs.pod(hostsOnly, OWNER, options, true).getSpec().getContainers().get(0).getCommand())
        .contains("--await-confined");
    assertThat(PodSpecs.pod(hostsOnly, OWNER, options, false).getSpec().getContainers().get(0).getCommand())
        .doesNotContain("--await-confined");
    // an allowed CIDR may hold the API server the agent's wait tries: no wait
    SandboxSpec both = SandboxSpec.builder("busybox:1.36").name("h-2")
        .egress(new EgressPolicy(false, List.of("10.0.0.0/8"), List.of("pypi.org"))).build();
    assertThat(PodSpecs.pod(both, OWNER, options, true).getSpec().getContainers().get(0).getCommand())
        .doesNotContain("--await-confined");
  }

  @Test
  void aSandboxThatAllowsHostsNeverTakesAWarmPod() {
    var pool = new WarmPool("py", "busybox:1.36", null, null, 2, 60);
    var options = OPTIONS.toBuilder().agentImage("sandboxes-agent:1").pools(List.of(pool)).build();
    SandboxSpec spec = SandboxSpec.builder("busybox:1.36").name("p-1").command("sleep", "9")
        .egress(EgressPolicy.allowHosts("pypi.org")).build();
    assertThat(WarmPools.ineligibility(spec, pool, options)).contains("allows hosts");
    assertThat(WarmPools.ineligibility(SandboxSpec.builder("busybox:1.36").name("p-2").command("sleep", "9").build(), pool, options))
        .isNull();
  }
}
