package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.SandboxRuntimeContract;
import dev.sandboxes.runtime.agent.AgentEndpoint;
import dev.sandboxes.runtime.agent.AgentExec;
import dev.sandboxes.runtime.agent.AgentGateway;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime contract on the rig with the in-sandbox agent in every sandbox pod, reached the way
 * a worker outside the cluster reaches it: through the API server's port-forward. The same
 * contract as {@link KubernetesRuntimeClusterTest} (which execs through the kubelet): the main
 * command's output, exit code and logs, exec's streams, caps, stdin and timeouts all behave the
 * same with the agent in front. The in-cluster worker of the other suites reaches agents on the
 * pod IP. e2e profile only; fails without the rig or the agent's image
 * ({@code -Dsandboxes.e2e.agentImage}, imported by deploy/rig/install-worker.sh).
 */
class KubernetesAgentRuntimeClusterTest extends SandboxRuntimeContract {
  static KubernetesRuntime runtime;
  static KubernetesClient admin;

  @BeforeAll
  static void connect() throws Exception {
    String image = System.getProperty("sandboxes.e2e.agentImage");
    String kubeconfig = System.getProperty("sandboxes.e2e.adminKubeconfig");
    if (image == null || image.isBlank() || kubeconfig == null || !Files.isRegularFile(Path.of(kubeconfig))) {
      fail("the agent's e2e suite needs the rig and the agent's image: -Dsandboxes.e2e.agentImage="
          + image + ", -Dsandboxes.e2e.adminKubeconfig=" + kubeconfig + " (deploy/e2e.sh sets both)");
    }
    // port-forward is an admin's right here; the chart's worker runs in the cluster and has none
    admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig))))
        .build();
    runtime = new KubernetesRuntime(admin, KubernetesRuntimeClusterTest.options().execOutputCapBytes(EXEC_CAP)
        .agentImage(image).agentAccess(KubernetesRuntimeOptions.AgentAccess.PORT_FORWARD)
        // the chart's workers; a port-forward reaches the agent whatever the policy says
        .agentClients(KubernetesRuntimeOptions.AgentClients.parse("sandboxes-system:app.kubernetes.io/name=sandboxes-worker"))
        .build());
  }

  @AfterAll
  static void close() {
    if (runtime != null) {
      runtime.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  @Override
  protected SandboxRuntime runtime() {
    return runtime;
  }

  @Override
  protected boolean keepsExecs() {
    return true;
  }

  private Pod podOf(String name) {
    return admin.pods().inNamespace(runtime.options().namespace()).withName(name).get();
  }

  @Test
  void theSandboxPodRunsTheAgentInFrontOfItsCommand() throws Exception {
    String name = startIdle("agent-pod");
    Pod pod = podOf(name);
    assertThat(pod.getSpec().getInitContainers()).extracting(c -> c.getName())
        .containsExactly(AgentPods.INSTALL_CONTAINER);
    assertThat(pod.getSpec().getContainers().get(0).getCommand().get(0))
        .isEqualTo(AgentPods.BIN_DIR + "/sandbox-agent");
    // the API server took the policy that admits only the workers to the agent's port: the one
    // every sandbox that denies egress shares, selected by the pod's label
    String shared = pod.getMetadata().getLabels().get(Labels.NETWORK_POLICY);
    assertThat(shared).as("the pod's shared policy").isNotNull();
    var policy = admin.network().v1().networkPolicies().inNamespace(runtime.options().namespace())
        .withName(shared).get();
    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry(Labels.NETWORK_POLICY, shared);
    assertThat(policy.getSpec().getPolicyTypes()).contains("Egress", "Ingress");
    assertThat(policy.getSpec().getIngress().get(0).getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(AgentPods.port(pod)));
    // the agent is the container's first process, and the exec runs beside it
    ExecResult result = runtime.exec(name, ExecRequest.of("sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"));
    assertThat(result.stdout()).startsWith(AgentPods.BIN_DIR + "/sandbox-agent run");
    runtime.delete(name);
  }

  @Test
  void anImageWithoutAShellIdlesAndExecsThroughTheAgent() throws Exception {
    // the rig's pause image holds one static binary and nothing else
    String name = uniqueName("agent-noshell");
    runtime.create(SandboxSpec.builder("registry.k8s.io/pause:3.10.2").name(name).build(), ownerOf(name));
    awaitPhase(name, EnumSet.of(SandboxPhase.RUNNING));
    ExecResult result = runtime.exec(name, ExecRequest.of("/pause", "-v"));
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout() + result.stderr()).contains("pause");
    ExecResult missing = runtime.exec(name, ExecRequest.of("sh", "-c", "true"));
    assertThat(missing.exitCode()).isEqualTo(127);
    assertThat(missing.stderr()).contains("sh");
    runtime.delete(name);
  }

  @Test
  void theAgentRefusesAnyoneWithoutTheSandboxesToken() throws Exception {
    String name = startIdle("agent-token");
    Pod pod = podOf(name);
    // this host reaches pod IPs on the rig, as another pod would
    URI direct = URI.create("http://" + pod.getStatus().getPodIP() + ":" + AgentPods.port(pod));
    try (AgentGateway gateway = new AgentGateway(Duration.ofSeconds(5), Duration.ofSeconds(10))) {
      assertThatThrownBy(() -> AgentExec.run(gateway, new AgentEndpoint(direct, "guessed-token-0123456789abcdef"),
          "intruder", ExecRequest.of("true"), 1024, null))
          .isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.type()).isEqualTo(SandboxErrors.AGENT_REFUSED);
            assertThat(e.getMessage()).contains("401");
          });
    }
    runtime.delete(name);
    assertThat(admin.secrets().inNamespace(runtime.options().namespace())
        .withName(AgentPods.secretName(name)).get()).as("the token's secret after delete").isNull();
  }

  @Test
  void anAgentThatFailsOnItsOwnEndsTheSandboxAsAgentLostNeverAHang() throws Exception {
    // the sandbox's token Secret, made ahead by its own owner but without the token: the agent
    // cannot read it, which is the agent's failure, not the command's
    String name = uniqueName("agent-lost");
    io.fabric8.kubernetes.api.model.Secret broken = AgentPods.secret(name, "unused", ownerOf(name));
    broken.setStringData(java.util.Map.of("not-the-token", "x"));
    admin.secrets().inNamespace(runtime.options().namespace()).resource(broken).create();
    runtime.create(SandboxSpec.builder(image()).name(name).command("sleep", "300").build(), ownerOf(name));
    RuntimeState state = endedWithin60s(runtime, name);
    assertThat(state.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(state.reason()).isEqualTo(PodPhases.AGENT_LOST);
    assertThat(state.message()).startsWith("sandbox-agent: ").contains(AgentPods.TOKEN_KEY);
    runtime.delete(name);
    assertThat(admin.secrets().inNamespace(runtime.options().namespace())
        .withName(AgentPods.secretName(name)).get()).as("the secret after delete").isNull();
  }

  @Test
  void anAgentImageThatCannotBePulledFailsTheSandboxAtOnceNamingTheAgent() throws Exception {
    try (KubernetesRuntime broken = new KubernetesRuntime(admin, runtime.options().toBuilder()
        .agentImage("sandboxes-agent:no-such-tag").imagePullPolicy("Never").build())) {
      String name = uniqueName("agent-noimage");
      broken.create(SandboxSpec.builder(image()).name(name).build(), ownerOf(name));
      RuntimeState state = endedWithin60s(broken, name);
      assertThat(state.phase()).isEqualTo(SandboxPhase.FAILED);
      assertThat(state.reason()).isEqualTo("ErrImageNeverPull");
      assertThat(state.message()).contains(AgentPods.INSTALL_CONTAINER);
      broken.delete(name);
    }
  }

  /** The state of sandbox {@code name} once it ended, which must happen within 60 s. */
  private static RuntimeState endedWithin60s(KubernetesRuntime on, String name) throws InterruptedException {
    RuntimeState state = on.inspect(name);
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
    while (!state.phase().terminal()) {
      assertThat(java.time.Instant.now()).as("ended within 60 s, now %s", state).isBefore(deadline);
      state = on.awaitChange(name, state.phase(), Duration.ofSeconds(10));
    }
    return state;
  }
}
