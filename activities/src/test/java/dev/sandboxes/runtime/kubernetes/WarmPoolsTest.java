package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WarmPoolsTest {
  static final KubernetesRuntimeOptions OPTIONS = KubernetesRuntimeOptions.defaults().toBuilder()
      .agentImage("registry.example/sandboxes-agent:0.2.0").build();
  static final WarmPool SMALL = new WarmPool("small", "busybox:1.36", "100m", "64Mi", 20, 60);
  static final SandboxOwner POOL_OWNER = new SandboxOwner("sandbox-pool-small", "run-1");

  static SandboxSpec.Builder spec() {
    return SandboxSpec.builder("busybox:1.36").name("s1").cpu("0.1").memory("64Mi");
  }

  @Test
  void aSpecOfThePoolsImageAndSizeFitsWhateverItsEnvTagsTtlWorkdirAndEgress() {
    SandboxSpec spec = spec().command("sh", "-c", "echo hi").env(Map.of("A", "1")).tags(Map.of("team", "x"))
        .ttl(Duration.ofMinutes(5)).workdir("/tmp").build();

    assertThat(WarmPools.ineligibility(spec, SMALL, OPTIONS)).isNull();
    assertThat(WarmPools.ineligibility(spec().build(), SMALL, OPTIONS)).as("an idle sandbox").isNull();
    assertThat(WarmPools.poolFor(spec, List.of(SMALL), OPTIONS)).contains(SMALL);
  }

  @Test
  void whatAPodCannotTakeOnceStartedMakesASpecIneligibleAndSaysWhy() {
    assertThat(WarmPools.ineligibility(SandboxSpec.builder("alpine:3").name("s1").build(), SMALL, OPTIONS))
        .contains("image alpine:3");
    assertThat(WarmPools.ineligibility(spec().cpu("200m").build(), SMALL, OPTIONS)).contains("cpu 200m");
    assertThat(WarmPools.ineligibility(spec().memory("65Mi").build(), SMALL, OPTIONS)).contains("memory 65Mi");
    assertThat(WarmPools.ineligibility(spec().volumeMounts(Map.of("/data", "v1")).build(), SMALL, OPTIONS))
        .contains("volumes");
    assertThat(WarmPools.ineligibility(spec().args("--serve").build(), SMALL, OPTIONS)).contains("entrypoint");
    assertThat(WarmPools.ineligibility(spec().build(), SMALL, KubernetesRuntimeOptions.defaults())).contains("agent");
    assertThat(WarmPools.poolFor(spec().cpu("1").build(), List.of(SMALL), OPTIONS)).isEmpty();
    assertThat(WarmPools.poolFor(spec().build(), List.of(new WarmPool("empty", "busybox:1.36", "100m", "64Mi", 0, 1)), OPTIONS))
        .as("a pool of size 0").isEmpty();
  }

  @Test
  void aPoolPodIsAnIdleSandboxPodWhoseAgentWaitsForItsClaimAndThatNoSandboxSelects() {
    Pod pod = WarmPools.pod(SMALL, "pool-small-abc12", POOL_OWNER, OPTIONS);

    assertThat(pod.getMetadata().getName()).isEqualTo("pool-small-abc12");
    assertThat(pod.getMetadata().getLabels()).containsEntry(Labels.POOL, "small")
        .containsEntry(Labels.POOL_STATE, Labels.POOL_IDLE).containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
        .doesNotContainKey(Labels.SANDBOX);
    assertThat(Owners.of(pod)).isEqualTo(POOL_OWNER);
    Container main = pod.getSpec().getContainers().get(0);
    assertThat(main.getCommand()).contains("--pooled").doesNotContain("--idle", "--");
    assertThat(main.getImage()).isEqualTo("busybox:1.36");
    assertThat(main.getResources().getLimits().get("cpu").toString()).isEqualTo("100m");
    assertThat(pod.getSpec().getInitContainers()).singleElement()
        .satisfies(c -> assertThat(c.getName()).isEqualTo(AgentPods.INSTALL_CONTAINER));
    assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName())
        .containsExactly(AgentPods.BIN_VOLUME, AgentPods.TOKEN_VOLUME);
    assertThat(pod.getSpec().getVolumes().get(1).getSecret().getSecretName()).isEqualTo("pool-small-abc12-agent");
    assertThat(WarmPools.idle(pod)).isTrue();
    assertThat(AgentPods.port(pod)).isEqualTo(KubernetesRuntimeOptions.DEFAULT_AGENT_PORT);
    assertThat(pod.getSpec().getActiveDeadlineSeconds()).isEqualTo(2 * OPTIONS.maxLifetime().toSeconds());
  }

  @Test
  void aPoolPodCarriesTheDigestOfItsPoolsDefinitionWhichChangesWithWhatThePodRuns() {
    String template = WarmPools.template(SMALL, OPTIONS);
    Pod pod = WarmPools.pod(SMALL, "pool-small-abc12", POOL_OWNER, OPTIONS);

    assertThat(pod.getMetadata().getLabels()).containsEntry(Labels.POOL_TEMPLATE, template);
    assertThat(WarmPools.current(pod, template)).isTrue();
    assertThat(template).as("a label value").matches("[0-9a-f]{16}");
    assertThat(WarmPools.template(new WarmPool("small", "busybox:1.36", "100m", "64Mi", 9, 9), OPTIONS))
        .as("size and refill rate are not the pod's").isEqualTo(template);
    assertThat(WarmPools.template(new WarmPool("small", "busybox:1.36", "200m", "64Mi", 3, 2), OPTIONS))
        .as("another cpu").isNotEqualTo(template);
    assertThat(WarmPools.template(new WarmPool("small", "busybox:1.37", "100m", "64Mi", 3, 2), OPTIONS))
        .as("another image").isNotEqualTo(template);
    assertThat(WarmPools.template(SMALL, OPTIONS.toBuilder().agentImage("sandboxes-agent:next").build()))
        .as("another agent").isNotEqualTo(template);
  }

  @Test
  void aClaimAddsTheSandboxsLabelsOwnerAndADeadlineCountedFromThePodsStart() {
    Pod pod = WarmPools.pod(SMALL, "pool-small-abc12", POOL_OWNER, OPTIONS);
    SandboxSpec spec = spec().tags(Map.of("team", "x")).ttl(Duration.ofSeconds(60)).build();
    SandboxOwner owner = new SandboxOwner("sandbox-s1", "run-9");

    Pod claimed = WarmPools.claimed(pod, spec, owner, Duration.ofSeconds(300), OPTIONS);

    assertThat(claimed.getMetadata().getName()).isEqualTo("pool-small-abc12");
    assertThat(claimed.getMetadata().getLabels()).containsEntry(Labels.SANDBOX, "s1")
        .containsEntry(Labels.TAG_PREFIX + "team", "x").containsEntry(Labels.POOL, "small")
        .containsEntry(Labels.POOL_STATE, Labels.POOL_CLAIMED);
    assertThat(Owners.of(claimed)).isEqualTo(owner);
    assertThat(claimed.getMetadata().getAnnotations()).containsEntry(Annotations.IMAGE, "busybox:1.36");
    assertThat(claimed.getSpec().getActiveDeadlineSeconds())
        .isEqualTo(300 + 1 + 60 + OPTIONS.ttlGrace().toSeconds());
    assertThat(claimed.getSpec().getContainers()).isEqualTo(pod.getSpec().getContainers());
    assertThat(WarmPools.idle(claimed)).isFalse();
    assertThat(WarmPools.claimed(pod, spec().build(), owner, OPTIONS.maxLifetime().dividedBy(2), OPTIONS)
        .getSpec().getActiveDeadlineSeconds())
        .as("a sandbox without a TTL in a pod half a lifetime old still gets its whole lifetime")
        .isEqualTo(OPTIONS.maxLifetime().dividedBy(2).toSeconds() + 1 + OPTIONS.maxLifetime().toSeconds());
    assertThat(WarmPools.claimed(pod, spec().build(), owner, Duration.ofDays(3650), OPTIONS).getSpec().getActiveDeadlineSeconds())
        .as("a deadline may only go down").isEqualTo(pod.getSpec().getActiveDeadlineSeconds());
  }

  @Test
  void poolsAreValidatedNamingTheFieldAndTheRule() {
    assertThatThrownBy(() -> WarmPool.validated(List.of(SMALL, new WarmPool("Bad_Name", " ", null, null, -1, 0),
        new WarmPool("small", "busybox:1.36", null, null, 1, 1))))
        .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.violations())
            .extracting(v -> v.field()).containsExactly("pools[1].name", "pools[1].image", "pools[1].size",
                "pools[1].refillPerMinute", "pools[2].name"));
    assertThat(WarmPool.validated(List.of(SMALL))).containsExactly(SMALL);
  }
}
