package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Golden YAML for the objects the runtime creates. A difference fails the test; run with
 * {@code -Dgolden.update=true} to rewrite the files, then review the diff by eye (hardening
 * defaults above all) before committing it.
 */
class PodSpecsTest {
  private static final SandboxOwner OWNER = new SandboxOwner("sandbox/job-1", "run-1");
  private static final KubernetesRuntimeOptions DEFAULTS = KubernetesRuntimeOptions.defaults();

  @Test
  void minimalIdleSandbox() {
    Pod pod = PodSpecs.pod(SandboxSpec.builder("busybox:1.36").name("idle-1").build(), OWNER, DEFAULTS);
    assertGolden("pod-minimal-idle.yaml", Serialization.asYaml(pod));
  }

  @Test
  void fullSandbox() {
    SandboxSpec spec = SandboxSpec.builder("python:3.12-slim").name("full-1")
        .command("python", "-m", "http.server").args("8080")
        .env("MODE", "test").env("QUOTE", "it's \"quoted\"")
        .tag("team", "data").tag("run", "42")
        .cpu("2").memory("1Gi")
        .volume("/data", "shared").volume("/cache", "cache-1")
        .ttl(Duration.ofMillis(3_600_500))
        .workdir("/data")
        .build();
    KubernetesRuntimeOptions gvisor = DEFAULTS.toBuilder().runtimeClassName("gvisor").build();
    assertGolden("pod-full.yaml", Serialization.asYaml(PodSpecs.pod(spec, OWNER, gvisor)));
  }

  @Test
  void everyPodHasADeadline() {
    SandboxSpec idle = SandboxSpec.builder("busybox:1.36").name("idle-2").build();
    assertThat(PodSpecs.pod(idle, OWNER, DEFAULTS).getSpec().getActiveDeadlineSeconds())
        .isEqualTo(Duration.ofHours(24).toSeconds());
    KubernetesRuntimeOptions hour = DEFAULTS.toBuilder().maxLifetime(Duration.ofHours(1)).build();
    assertThat(PodSpecs.pod(idle, OWNER, hour).getSpec().getActiveDeadlineSeconds()).isEqualTo(3600L);
    SandboxSpec ttl = idle.toBuilder().ttl(Duration.ofSeconds(30)).build();
    assertThat(PodSpecs.pod(ttl, OWNER, hour).getSpec().getActiveDeadlineSeconds())
        .isEqualTo(30L + DEFAULTS.ttlGrace().toSeconds());
  }

  @Test
  void argsAloneKeepTheImageEntrypoint() {
    Pod pod = PodSpecs.pod(SandboxSpec.builder("alpine:3").name("args-1").args("--flag").build(),
        OWNER, DEFAULTS);
    assertThat(pod.getSpec().getContainers().get(0).getCommand()).isNullOrEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getArgs()).containsExactly("--flag");
  }

  private static final KubernetesRuntimeOptions AGENT =
      DEFAULTS.toBuilder().agentImage("registry.example/sandboxes-agent:0.2.0").build();

  @Test
  void idleSandboxWithTheAgent() {
    Pod pod = PodSpecs.pod(SandboxSpec.builder("gcr.io/distroless/static").name("idle-agent")
        .build(), OWNER, AGENT);
    assertGolden("pod-agent-idle.yaml", Serialization.asYaml(pod));
  }

  @Test
  void commandSandboxWithTheAgent() {
    SandboxSpec spec = SandboxSpec.builder("python:3.12-slim").name("cmd-agent")
        .command("python", "-m", "http.server").args("8080")
        .volume("/data", "shared").workdir("/data").build();
    assertGolden("pod-agent-command.yaml", Serialization.asYaml(PodSpecs.pod(spec, OWNER, AGENT)));
  }

  @Test
  void theAgentRunsTheCommandAndItsArgsUnchanged() {
    SandboxSpec spec = SandboxSpec.builder("alpine:3").name("a-1").command("sh", "-c", "echo $0 $1")
        .args("x", "y").build();
    var main = PodSpecs.pod(spec, OWNER, AGENT).getSpec().getContainers().get(0);
    assertThat(main.getCommand()).endsWith("--", "sh", "-c", "echo $0 $1").startsWith(
        AgentPods.BIN_DIR + "/sandbox-agent", "run");
    assertThat(main.getArgs()).containsExactly("x", "y");
  }

  @Test
  void argsAloneRunWithoutTheAgentSinceTheEntrypointIsTheImagesOwn() {
    Pod pod = PodSpecs.pod(SandboxSpec.builder("alpine:3").name("args-2").args("--flag").build(),
        OWNER, AGENT);
    assertThat(pod.getSpec().getInitContainers()).isNullOrEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getCommand()).isNullOrEmpty();
    assertThat(AgentPods.port(pod)).isEqualTo(-1);
  }

  @Test
  void theAgentsInitContainerIsAsHardenedAsTheSandbox() {
    Pod pod = PodSpecs.pod(SandboxSpec.builder("busybox:1.36").name("h-1").build(), OWNER, AGENT);
    var install = pod.getSpec().getInitContainers().get(0);
    var main = pod.getSpec().getContainers().get(0);
    assertThat(install.getSecurityContext()).isEqualTo(main.getSecurityContext());
    // no bigger than the sandbox: a pod requests the larger of its init and main containers
    assertThat(install.getResources()).isEqualTo(main.getResources());
    assertThat(AgentPods.port(pod)).isEqualTo(KubernetesRuntimeOptions.DEFAULT_AGENT_PORT);
  }

  @Test
  void agentSecret() {
    assertGolden("secret-agent.yaml", Serialization.asYaml(
        AgentPods.secret("idle-agent", "not-a-real-token", OWNER)));
  }

  @Test
  void theAgentsPortAdmitsOnlyItsClientsAndEveryOtherPortStaysOpen() {
    NetworkPolicies.AgentIngress workers = new NetworkPolicies.AgentIngress(7431, "sandboxes-system",
        java.util.Map.of("app.kubernetes.io/name", "sandboxes-worker"));
    assertGolden("networkpolicy-agent-ingress.yaml", Serialization.asYaml(
        NetworkPolicies.of("idle-agent", EgressPolicy.denyAll(), OWNER, workers).orElseThrow()));
    var open = NetworkPolicies.of("open-agent", EgressPolicy.allowAll(), OWNER, workers).orElseThrow();
    assertThat(open.getSpec().getPolicyTypes()).containsExactly("Ingress");
  }

  @Test
  void anAllowedCidrWiderThanTheLinkLocalRangeLeavesTheCloudMetadataAddressOut() {
    assertThat(NetworkPolicies.linkLocalExcept("0.0.0.0/0")).containsExactly("169.254.0.0/16");
    assertThat(NetworkPolicies.linkLocalExcept("128.0.0.0/1")).containsExactly("169.254.0.0/16");
    assertThat(NetworkPolicies.linkLocalExcept("169.0.0.0/8")).containsExactly("169.254.0.0/16");
    assertThat(NetworkPolicies.linkLocalExcept("169.254.0.0/15")).containsExactly("169.254.0.0/16");
    assertThat(NetworkPolicies.linkLocalExcept("::/0")).containsExactly("fe80::/10");
    // inside the range: an explicit allow; beside it: nothing to leave out
    assertThat(NetworkPolicies.linkLocalExcept("169.254.169.254/32")).isEmpty();
    assertThat(NetworkPolicies.linkLocalExcept("169.254.0.0/16")).isEmpty();
    assertThat(NetworkPolicies.linkLocalExcept("10.0.0.0/8")).isEmpty();
    assertThat(NetworkPolicies.linkLocalExcept("0.0.0.0/1")).isEmpty();
    assertThat(NetworkPolicies.linkLocalExcept("2001:db8::/32")).isEmpty();
    assertThat(NetworkPolicies.linkLocalExcept("fe80::/10")).isEmpty();
    // IPv4-mapped IPv6: an IPv6 CIDR, never given the IPv4 exception (the API server refuses that)
    assertThat(NetworkPolicies.linkLocalExcept("::ffff:0.0.0.0/96")).isEmpty();
    assertThat(NetworkPolicies.linkLocalExcept("::ffff:0.0.0.0/0")).containsExactly("fe80::/10");

    var policy = NetworkPolicies.egress("wide", EgressPolicy.allow("0.0.0.0/0", "10.0.0.0/8"), OWNER).orElseThrow();
    var peers = policy.getSpec().getEgress().get(0).getTo();
    assertThat(peers.get(0).getIpBlock().getExcept()).containsExactly("169.254.0.0/16");
    assertThat(peers.get(1).getIpBlock().getExcept()).isEmpty();
  }

  @Test
  void agentClientsAreParsedFromOneSetting() {
    var clients = KubernetesRuntimeOptions.AgentClients.parse(
        "sandboxes-system:app.kubernetes.io/name=sandboxes-worker,app.kubernetes.io/instance=w");
    assertThat(clients.namespace()).isEqualTo("sandboxes-system");
    assertThat(clients.labels()).containsEntry("app.kubernetes.io/name", "sandboxes-worker")
        .containsEntry("app.kubernetes.io/instance", "w").hasSize(2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> KubernetesRuntimeOptions.AgentClients.parse("no-labels"))
        .hasMessageContaining("NAMESPACE:KEY=VALUE");
  }

  @Test
  void denyAllEgress() {
    assertGolden("networkpolicy-deny-all.yaml", Serialization.asYaml(
        NetworkPolicies.egress("idle-1", EgressPolicy.denyAll(), OWNER).orElseThrow()));
  }

  @Test
  void allowListEgress() {
    assertGolden("networkpolicy-allow-list.yaml", Serialization.asYaml(NetworkPolicies
        .egress("full-1", EgressPolicy.allow("10.0.0.0/8", "203.0.113.7/32"), OWNER).orElseThrow()));
  }

  @Test
  void deniedSandboxesShareAPolicyNamedByItsRules() {
    NetworkPolicies.AgentIngress workers = new NetworkPolicies.AgentIngress(7431, "sandboxes-system",
        java.util.Map.of("app.kubernetes.io/name", "sandboxes-worker"));
    assertGolden("networkpolicy-shared-deny-all.yaml", Serialization.asYaml(
        NetworkPolicies.shared(EgressPolicy.denyAll(), null).orElseThrow()));
    assertGolden("networkpolicy-shared-agent.yaml", Serialization.asYaml(
        NetworkPolicies.shared(EgressPolicy.denyAll(), workers).orElseThrow()));
    // another agent port is another policy: the pods of a worker configured otherwise keep theirs
    var otherPort = NetworkPolicies.shared(EgressPolicy.denyAll(),
        new NetworkPolicies.AgentIngress(7432, workers.namespace(), workers.labels())).orElseThrow();
    assertThat(otherPort.getMetadata().getName())
        .isNotEqualTo(NetworkPolicies.shared(EgressPolicy.denyAll(), workers).orElseThrow().getMetadata().getName());
    assertThat(NetworkPolicies.shared(EgressPolicy.allow("10.0.0.0/8"), workers)).as("an allow list").isEmpty();
    assertThat(NetworkPolicies.shared(EgressPolicy.allowAll(), null)).as("unrestricted").isEmpty();
  }

  @Test
  void unrestrictedEgressNeedsNoPolicy() {
    assertThat(NetworkPolicies.egress("open-1", EgressPolicy.allowAll(), OWNER)).isEmpty();
  }

  @Test
  void volumeClaim() {
    assertGolden("pvc-default.yaml", Serialization.asYaml(
        VolumeClaims.claim("shared", new VolumeSpec("5Gi", "fast", null), OWNER, DEFAULTS)));
  }

  @Test
  void volumeHelper() {
    Pod helper = VolumeHelpers.pod("shared", VolumeHelpers.name("shared", "abc123"),
        new SandboxOwner("volume/shared", "run-7"), DEFAULTS);
    assertGolden("pod-volume-helper.yaml", Serialization.asYaml(helper));
  }

  @Test
  void volumeHelperIsHardenedWhateverTheOptions() {
    KubernetesRuntimeOptions custom = DEFAULTS.toBuilder().runAsUser(1234)
        .helperImage("registry.example/busybox:1.37").helperDeadline(Duration.ofSeconds(90))
        .runtimeClassName("gvisor").build();
    Pod helper = VolumeHelpers.pod("v", "volume-helper-v-1", OWNER, custom);
    var container = helper.getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("registry.example/busybox:1.37");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(helper.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(1234L);
    assertThat(helper.getSpec().getSecurityContext().getFsGroup()).isEqualTo(1234L);
    assertThat(helper.getSpec().getActiveDeadlineSeconds()).isEqualTo(90L);
    assertThat(helper.getSpec().getAutomountServiceAccountToken()).isFalse();
    assertThat(helper.getSpec().getRuntimeClassName()).isEqualTo("gvisor");
    assertThat(helper.getMetadata().getLabels()).containsEntry("sandboxes.dev/role", "volume-helper")
        .containsEntry("sandboxes.dev/volume", "v").doesNotContainKey("sandboxes.dev/sandbox");
  }

  private static void assertGolden(String file, String actual) {
    Path source = Path.of("src/test/resources/golden", file);
    if (Boolean.getBoolean("golden.update")) {
      try {
        Files.createDirectories(source.getParent());
        Files.writeString(source, actual);
      } catch (IOException e) {
        throw new AssertionError("cannot write " + source, e);
      }
      return;
    }
    try (InputStream in = PodSpecsTest.class.getResourceAsStream("/golden/" + file)) {
      assertThat(in).as("golden file %s (run with -Dgolden.update=true to create it)", file)
          .isNotNull();
      assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
