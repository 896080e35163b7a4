package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sandboxes' network isolation on the rig, where kube-router enforces NetworkPolicy
 * (deploy/rig/up.sh): every check is a packet a sandbox sends to a real server the rig owns, and
 * every refusal is paired with a sandbox of unrestricted egress that reaches the same server by the
 * same command, so a refusal cannot come from a dead target or a broken command. Without
 * enforcement ({@code RIG_NETWORK_POLICY=off deploy/rig/up.sh}) the refusals fail.
 *
 * <p>Targets: an HTTP server on the node's address and one in the cloud metadata range
 * ({@code 169.254.42.42}, on the node's lo), both in this test's process, which counts what
 * reaches them; an HTTP server in a pod of another namespace; the Kubernetes API server through
 * its Service and on the node; cluster DNS; another sandbox's pod and its agent's port. The
 * sandboxes run under the chart's in-cluster workers (default egress deny-all, the agent on), so
 * every exec here is also the worker reaching what it needs through the policies. e2e profile
 * only; fails, never skips, without the rig.
 */
class NetworkIsolationClusterTest {
  /** An address in the cloud metadata range (169.254.0.0/16) that the rig owns (deploy/rig/up.sh). */
  static final String METADATA_IP = "169.254.42.42";
  static final String TARGETS = "rig-net-targets";
  static final int AGENT_PORT = 7431;

  static WorkflowServiceStubs stubs;
  static SandboxClient sandboxes;
  static KubernetesClient admin;
  static final List<HttpServer> servers = new ArrayList<>();
  static final List<String> started = new ArrayList<>();
  static String targetPod;

  static Target node;
  static Target metadata;
  static Target dnsPort;
  static String podTarget;
  static String nodeIp;
  /** Unrestricted egress: reaches every target (the control). */
  static String open;
  /** The worker's default egress: deny all. */
  static String denied;
  /** Egress allowed to the target pod's address only. */
  static String allowed;
  /** Egress allowed to 0.0.0.0/0: everything but the link-local metadata range. */
  static String wide;
  /** Egress allowed to {@link #ALLOWED_HOST} on the node target's port and to {@code *.wild.rig.test}, through the egress proxy. */
  static String hosts;

  /** Names the rig's DNS serves on the node's address (deploy/rig/up.sh, RIG_TEST_HOSTS). */
  static final String ALLOWED_HOST = "allowed.rig.test";
  static final String WILDCARD_HOST = "api.wild.rig.test";
  static final String OTHER_HOST = "other.rig.test";

  /** An HTTP server in this process that counts the requests that reach it. */
  record Target(String url, AtomicInteger hits) {}

  @BeforeAll
  static void setUp() throws Exception {
    admin = Rig.admin();
    stubs = Rig.temporal();
    sandboxes = new SandboxClient(WorkflowClient.newInstance(stubs));
    nodeIp = admin.nodes().list().getItems().get(0).getStatus().getAddresses().stream()
        .filter(a -> "InternalIP".equals(a.getType())).map(NodeAddress::getAddress).findFirst()
        .orElseThrow(() -> new AssertionError("the rig's node has no InternalIP"));
    node = serve(nodeIp, 0, "node-target");
    if (java.net.NetworkInterface.getByInetAddress(InetAddress.getByName(METADATA_IP)) == null) {
      fail("the rig owns " + METADATA_IP + " on lo (deploy/rig/up.sh); it is not on this host");
    }
    metadata = serve(METADATA_IP, 80, "metadata-target");
    podTarget = startTargetPod();

    String suffix = UUID.randomUUID().toString().substring(0, 6);
    open = start(SandboxSpec.builder("busybox:1.36").name("net-open-" + suffix)
        .egress(EgressPolicy.allowAll())
        // a server in a sandbox: what another sandbox must not reach
        .command("sh", "-c", "mkdir -p /tmp/www && echo sandbox-target > /tmp/www/index.html"
            + " && exec httpd -f -p 8080 -h /tmp/www").build());
    denied = start(SandboxSpec.builder("busybox:1.36").name("net-denied-" + suffix).build());
    allowed = start(SandboxSpec.builder("busybox:1.36").name("net-allowed-" + suffix)
        .egress(EgressPolicy.allow(podTarget + "/32")).build());
    wide = start(SandboxSpec.builder("busybox:1.36").name("net-wide-" + suffix)
        .egress(EgressPolicy.allow("0.0.0.0/0")).build());
    // a server on port 53 of an address that is no DNS server: an allow list's DNS rule reaches
    // the cluster's DNS alone (the rig's, on the node), never port 53 of anything else
    dnsPort = serve(METADATA_IP, 53, "port-53-target");
    hosts = start(SandboxSpec.builder("busybox:1.36").name("net-hosts-" + suffix)
        .egress(EgressPolicy.allowHosts(ALLOWED_HOST + ":" + port(node), "*.wild.rig.test")).build());
    for (String name : started) {
      assertThat(sandboxes.awaitRunning(name, Duration.ofMinutes(2)).phase()).as(name).isEqualTo(SandboxPhase.RUNNING);
    }
  }

  @AfterAll
  static void tearDown() {
    for (String name : started) {
      try {
        sandboxes.terminate(name, "test over");
      } catch (RuntimeException e) {
        System.err.println("terminate " + name + ": " + e);
      }
    }
    servers.forEach(s -> s.stop(0));
    if (admin != null) {
      if (targetPod != null) {
        admin.pods().inNamespace(TARGETS).withName(targetPod).withGracePeriod(0).delete();
      }
      admin.close();
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
  }

  static String start(SandboxSpec spec) {
    String name = sandboxes.start(spec);
    started.add(name);
    return name;
  }

  static Target serve(String address, int port, String body) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 16);
    AtomicInteger hits = new AtomicInteger();
    server.createContext("/", exchange -> {
      hits.incrementAndGet();
      byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    servers.add(server);
    return new Target("http://" + address + ":" + server.getAddress().getPort() + "/", hits);
  }

  /** busybox httpd in a pod of a namespace without policies; its address. */
  static String startTargetPod() {
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(TARGETS).endMetadata().build())
        .serverSideApply();
    targetPod = "target-" + UUID.randomUUID().toString().substring(0, 6);
    admin.pods().inNamespace(TARGETS).resource(new PodBuilder()
        .withNewMetadata().withName(targetPod).endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(0L).addNewContainer().withName("httpd")
          .withImage("busybox:1.36").withImagePullPolicy("IfNotPresent")
          .withCommand("sh", "-c", "mkdir -p /www && echo pod-target > /www/index.html && exec httpd -f -p 8080 -h /www")
          .withNewReadinessProbe().withNewTcpSocket().withNewPort(8080).endTcpSocket()
            .withPeriodSeconds(1).endReadinessProbe()
        .endContainer().endSpec().build()).create();
    Pod ready = admin.pods().inNamespace(TARGETS).withName(targetPod)
        .waitUntilReady(2, TimeUnit.MINUTES);
    return ready.getStatus().getPodIP();
  }

  static String podIp(String sandbox) {
    return admin.pods().inNamespace(Rig.NAMESPACE).withName(sandbox).get().getStatus().getPodIP();
  }

  /**
   * {@code sandbox} fetches {@code url} (4 s at most); the exec's result. busybox's own
   * {@code wget -T} crashes (SIGSEGV) in the rig's busybox 1.35, so {@code timeout} bounds it.
   */
  static ExecResult fetch(String sandbox, String url) {
    return sandboxes.exec(sandbox, ExecRequest.of("timeout", "4", "wget", "-q", "-O", "-", url));
  }

  /** {@code sandbox} opens a TCP connection to {@code host:port} (3 s at most); the exec's result. */
  static ExecResult connect(String sandbox, String host, int port) {
    return sandboxes.exec(sandbox, ExecRequest.of("sh", "-c", "nc -w 3 " + host + " " + port + " </dev/null"));
  }

  static void assertReaches(String sandbox, Target target, String body) {
    int before = target.hits().get();
    ExecResult result = fetch(sandbox, target.url());
    assertThat(result.exitCode()).as("%s fetches %s: %s", sandbox, target.url(), result.stderr()).isZero();
    assertThat(result.stdout()).contains(body);
    assertThat(target.hits().get()).as("requests that reached %s", target.url()).isGreaterThan(before);
  }

  static void assertRefused(String sandbox, Target target) {
    int before = target.hits().get();
    ExecResult result = fetch(sandbox, target.url());
    assertThat(result.exitCode()).as("%s fetches %s (must be refused): %s", sandbox, target.url(), result.stdout())
        .isNotZero();
    assertThat(target.hits().get()).as("requests from %s that reached %s", sandbox, target.url()).isEqualTo(before);
  }

  @Test
  void aSandboxWithUnrestrictedEgressReachesEveryTargetSoTheRefusalsBelowMeanSomething() {
    assertReaches(open, node, "node-target");
    assertReaches(open, metadata, "metadata-target");
    assertThat(fetch(open, "http://" + podTarget + ":8080/").stdout()).contains("pod-target");
    assertThat(connect(open, "10.96.0.1", 443).exitCode()).as("the API server's Service").isZero();
    assertThat(connect(open, nodeIp, 6443).exitCode()).as("the API server on the node").isZero();
    assertThat(sandboxes.exec(open, ExecRequest.of("nslookup", "kubernetes.default.svc.cluster.local")).stdout())
        .contains("10.96.0.1");
    assertThat(fetch(open, "http://127.0.0.1:8080/").stdout())
        .as("the open sandbox's own server").contains("sandbox-target");
  }

  @Test
  void aDefaultSandboxReachesNeitherTheNodeNorAPodNorTheApiServerNorTheMetadataAddressNorDns() {
    assertRefused(denied, node);
    assertRefused(denied, metadata);
    assertThat(fetch(denied, "http://" + podTarget + ":8080/").exitCode()).as("the target pod").isNotZero();
    assertThat(connect(denied, "10.96.0.1", 443).exitCode()).as("the API server's Service").isNotZero();
    assertThat(connect(denied, nodeIp, 6443).exitCode()).as("the API server on the node").isNotZero();
    // deny-all denies DNS too (README): names do not resolve
    ExecResult dns = sandboxes.exec(denied, ExecRequest.of("nslookup", "kubernetes.default.svc.cluster.local"));
    assertThat(dns.exitCode()).as("DNS from a deny-all sandbox: %s", dns.stdout()).isNotZero();
    assertThat(dns.stdout()).doesNotContain("Address: 10.96.0.1");
  }

  @Test
  void anAllowListedCidrIsReachedAndNothingElseButDns() {
    assertThat(fetch(allowed, "http://" + podTarget + ":8080/").stdout()).as("the allowed pod").contains("pod-target");
    assertRefused(allowed, node);
    assertRefused(allowed, metadata);
    assertThat(connect(allowed, "10.96.0.1", 443).exitCode()).as("the API server's Service").isNotZero();
    assertThat(connect(allowed, nodeIp, 6443).exitCode()).as("the API server on the node").isNotZero();
    assertThat(fetch(allowed, "http://" + podIp(open) + ":8080/").exitCode()).as("another sandbox's pod").isNotZero();
    // an allow list permits DNS (port 53 to any address), so names resolve (README)
    ExecResult dns = sandboxes.exec(allowed, ExecRequest.of("nslookup", "kubernetes.default.svc.cluster.local"));
    assertThat(dns.exitCode()).as("DNS from an allow-listed sandbox: %s %s", dns.stdout(), dns.stderr()).isZero();
    assertThat(dns.stdout()).contains("10.96.0.1");
  }

  @Test
  void anAllowListOfEveryAddressStillLeavesTheMetadataAddressOut() {
    assertReaches(wide, node, "node-target");
    assertRefused(wide, metadata);
  }

  @Test
  void noSandboxReachesAnotherSandboxsAgentNorADeniedSandboxAnotherSandboxsPod() {
    // the open sandbox's egress allows everything: only the agent's ingress rule stands between it
    // and the other sandboxes' agents (which admit the worker's pods alone)
    assertThat(connect(open, podIp(denied), AGENT_PORT).exitCode()).as("a deny-all sandbox's agent").isNotZero();
    assertThat(connect(open, podIp(allowed), AGENT_PORT).exitCode()).as("an allow-listed sandbox's agent").isNotZero();
    assertThat(connect(wide, podIp(denied), AGENT_PORT).exitCode()).as("from a sandbox allowed 0.0.0.0/0").isNotZero();
    // the same port on its own pod answers (the agent listens on the pod's address)
    assertThat(connect(open, podIp(open), AGENT_PORT).exitCode()).as("its own agent, through its pod address").isZero();
    assertThat(fetch(denied, "http://" + podIp(open) + ":8080/").exitCode()).as("a deny-all sandbox to another's server")
        .isNotZero();
    assertThat(fetch(allowed, "http://" + podIp(open) + ":8080/").exitCode()).as("allow-listed elsewhere").isNotZero();
  }

  @Test
  void theWorkersFoundAtStartUpThatPoliciesAreEnforcedSayItAndConfineADefaultSandboxBeforeItsCommandStarts()
      throws Exception {
    List<Pod> workers = Install.runningWorkers(admin);
    assertThat(workers).isNotEmpty();
    for (Pod worker : workers) {
      String base = "http://" + worker.getStatus().getPodIP() + ":8080/actuator/";
      // the probe runs in the background from the start; a worker that just started may still be at it
      com.fasterxml.jackson.databind.JsonNode check = org.awaitility.Awaitility.await("the probe of " + base)
          .atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(WorkerMetricsTest.scrape(base + "health")).path("components").path("networkPolicy"),
              node -> !"UNKNOWN".equals(node.path("status").asText()) || node.path("details").has("checkedAt"));
      assertThat(check.path("status").asText()).as("%s", check).isEqualTo("UP");
      assertThat(check.path("details").path("enforced").asBoolean()).isTrue();
      assertThat(check.path("details").path("detail").asText()).contains("could not connect to the Kubernetes API server's Service");
      assertThat(WorkerMetricsTest.value(WorkerMetricsTest.scrape(base + "prometheus"), "sandbox_network_policy_enforced", ""))
          .isEqualTo(1.0);
    }

    // so a default sandbox's command starts only once its pod is confined: its very first packet
    // is refused (kube-router confines a new pod only once it has seen the pod's address, which
    // on a busy node took over a second while the command was already running)
    int before = node.hits().get();
    String early = start(SandboxSpec.builder("busybox:1.36").name("net-early-" + UUID.randomUUID().toString().substring(0, 6))
        .command("timeout", "4", "wget", "-q", "-O", "-", node.url()).build());
    sandboxes.awaitRunning(early, Duration.ofMinutes(2));
    // read while the pod exists (its sandbox's end deletes it): the agent was told to wait
    assertThat(admin.pods().inNamespace(Rig.NAMESPACE).withName(early).get().getSpec().getContainers().get(0).getCommand())
        .contains("--await-confined");
    var result = sandboxes.awaitDone(early, Duration.ofMinutes(2)).orElseThrow();
    // refused and timed out (timeout's 143; wget's 1 had it been refused outright), never the
    // agent's own failure (70, AgentLost), which would mean the command never ran
    assertThat(result.status().reason()).as("%s", result.status()).isNotEqualTo("AgentLost");
    assertThat(result.status().exitCode()).as("the first fetch of a default sandbox: %s", result.status()).isIn(1, 143);
    assertThat(node.hits().get()).as("requests that reached the node").isEqualTo(before);
  }

  static int port(Target target) {
    return java.net.URI.create(target.url()).getPort();
  }

  /** {@code sandbox} fetches {@code url} without the proxy its environment names, if any. */
  static ExecResult fetchDirect(String sandbox, String url) {
    return sandboxes.exec(sandbox, ExecRequest.of("env", "-u", "http_proxy", "-u", "HTTP_PROXY",
        "timeout", "4", "wget", "-q", "-O", "-", url));
  }

  @Test
  void anAllowListsDnsRuleReachesTheClustersDnsAndNoOtherPort53() {
    int before = dnsPort.hits().get();
    assertThat(fetch(open, dnsPort.url()).stdout()).as("the control").contains("port-53-target");
    assertThat(dnsPort.hits().get()).isGreaterThan(before);
    before = dnsPort.hits().get();
    for (String sandbox : List.of(allowed, hosts)) {
      assertThat(fetchDirect(sandbox, dnsPort.url()).exitCode()).as("%s to another address's port 53", sandbox).isNotZero();
      ExecResult dns = sandboxes.exec(sandbox, ExecRequest.of("nslookup", ALLOWED_HOST));
      assertThat(dns.stdout()).as("%s resolves through the cluster's DNS: %s", sandbox, dns.stderr()).contains(nodeIp);
    }
    assertThat(dnsPort.hits().get()).as("requests that reached port 53 of another address").isEqualTo(before);
  }

  /** The URL of {@code target}'s server under the name {@code host} (which the rig resolves to the node). */
  static String named(Target target, String host) {
    return target.url().replace(nodeIp, host);
  }

  @Test
  void aHostAllowListReachesItsNamesThroughTheEgressProxyAndNothingElse() {
    // the control: the names resolve to the node, whose server answers a sandbox with open egress
    assertReaches(open, new Target(named(node, OTHER_HOST), node.hits()), "node-target");

    // the sandbox's clients go through the proxy, with its token as the password
    String proxyUrl = sandboxes.exec(hosts, ExecRequest.of("sh", "-c", "echo $http_proxy")).stdout().trim();
    assertThat(proxyUrl).matches("http://sandbox:[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+@[a-z0-9.-]+-egress-proxy\\.[a-z0-9-]+\\.svc:\\d+");
    // its names, exactly and under the wildcard, are reached
    assertReaches(hosts, new Target(named(node, ALLOWED_HOST), node.hits()), "node-target");
    assertReaches(hosts, new Target(named(node, WILDCARD_HOST), node.hits()), "node-target");
    // another name of the same address, the address itself, the metadata address: the proxy refuses
    for (String url : List.of(named(node, OTHER_HOST), node.url(), metadata.url(), "http://" + podTarget + ":8080/")) {
      int before = node.hits().get() + metadata.hits().get();
      ExecResult refused = fetch(hosts, url);
      assertThat(refused.exitCode()).as("%s fetches %s through the proxy (must be refused)", hosts, url).isNotZero();
      assertThat(refused.stderr()).as("the proxy's answer to %s", url).contains("403");
      assertThat(node.hits().get() + metadata.hits().get()).as("requests that reached a target").isEqualTo(before);
    }
    // a listed name on a port its entry does not name: refused too
    int before = node.hits().get();
    ExecResult otherPort = fetch(hosts, "http://" + ALLOWED_HOST + ":6443/");
    assertThat(otherPort.exitCode()).as("the allowed name on an unlisted port").isNotZero();
    assertThat(otherPort.stderr()).contains("403");
    // past the proxy, the network policy: nothing but DNS and the proxy's port
    ExecResult direct = fetchDirect(hosts, named(node, ALLOWED_HOST));
    assertThat(direct.exitCode()).as("an allowed name fetched without the proxy: %s", direct.stdout()).isNotZero();
    assertThat(node.hits().get()).as("requests that reached the node without the proxy").isEqualTo(before);
    assertThat(connect(hosts, nodeIp, 6443).exitCode()).as("the API server on the node").isNotZero();
    // a token that does not verify is not let through
    String forged = proxyUrl.replaceFirst("\\.[A-Za-z0-9_-]+@", ".AAAA@");
    ExecResult unsigned = sandboxes.exec(hosts, ExecRequest.of("env", "http_proxy=" + forged,
        "timeout", "4", "wget", "-q", "-O", "-", named(node, ALLOWED_HOST)));
    assertThat(unsigned.exitCode()).isNotZero();
    assertThat(unsigned.stderr()).as("a forged token").contains("407");
    assertThat(node.hits().get()).isEqualTo(before);

    // a sandbox without hosts cannot reach the proxy at all
    String proxyHostPort = proxyUrl.substring(proxyUrl.indexOf('@') + 1);
    String proxyHost = proxyHostPort.substring(0, proxyHostPort.indexOf('.'));
    String proxyNamespace = proxyHostPort.split("\\.")[1];
    String proxyIp = admin.services().inNamespace(proxyNamespace).withName(proxyHost).get().getSpec().getClusterIP();
    int proxyPort = Integer.parseInt(proxyHostPort.substring(proxyHostPort.lastIndexOf(':') + 1));
    assertThat(connect(hosts, proxyIp, proxyPort).exitCode()).as("the proxy from the sandbox that allows hosts").isZero();
    assertThat(connect(denied, proxyIp, proxyPort).exitCode()).as("the proxy from a deny-all sandbox").isNotZero();
    assertThat(connect(allowed, proxyIp, proxyPort).exitCode()).as("the proxy from a CIDR-allowed sandbox").isNotZero();
  }
}
