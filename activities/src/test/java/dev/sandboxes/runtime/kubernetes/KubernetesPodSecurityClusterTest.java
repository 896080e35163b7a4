package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.runtime.PlatformException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Pod Security Admission {@code restricted} in the sandboxes' namespace (the chart enforces it):
 * a create whose pod the admission refuses fails at once with a typed, non-retryable error that
 * names the broken rules, and leaves nothing behind (its network policy included). The worker's
 * own pod specs meet the level, so the privileged pod here comes from a gateway that makes it
 * so on its way to the server. e2e profile only; fails without the rig.
 */
class KubernetesPodSecurityClusterTest {

  /** Marks every pod privileged on its way to the API server. */
  static final class PrivilegedGateway extends KubernetesGateway {
    PrivilegedGateway(KubernetesClient client, String namespace) {
      super(client, namespace);
    }

    @Override
    public Pod createPod(Pod pod) {
      Pod privileged = new PodBuilder(pod).editSpec().editFirstContainer().editSecurityContext()
          .withPrivileged(true).withAllowPrivilegeEscalation(true).endSecurityContext().endContainer().endSpec().build();
      return super.createPod(privileged);
    }
  }

  @Test
  void aPodTheAdmissionRefusesFailsTheCreateWithATypedErrorAndLeavesNothing() throws Exception {
    String kubeconfig = System.getProperty("sandboxes.e2e.kubeconfig");
    if (kubeconfig == null || !Files.isRegularFile(Path.of(kubeconfig))) {
      fail("the e2e suite needs the rig: -Dsandboxes.e2e.kubeconfig names no file (got " + kubeconfig + ")");
    }
    String namespace = KubernetesRuntimeClusterTest.options().build().namespace();
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig)))).build();
        KubernetesGateway gateway = new PrivilegedGateway(client, namespace)) {
      KubernetesSandboxes sandboxes = new KubernetesSandboxes(gateway, KubernetesRuntimeClusterTest.options().build());
      String name = "psa-" + UUID.randomUUID().toString().substring(0, 8);
      SandboxSpec spec = SandboxSpec.builder("busybox:1.36").name(name).command("true")
          .egress(EgressPolicy.allow("10.0.0.0/8")).build();

      long t0 = System.nanoTime();
      Throwable refused = catchThrowable(() -> sandboxes.create(spec, new SandboxOwner("sandbox/" + name, "run-psa")));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(refused).isInstanceOfSatisfying(PlatformException.class, e -> {
        assertThat(e.type()).isEqualTo(SandboxErrors.RUNTIME_REJECTED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("create sandbox " + name).contains("violates PodSecurity")
            .contains("securityContext.privileged=true").contains("Pod Security admission");
      });
      assertThat(gateway.getPod(name)).isNull();
      assertThat(gateway.getNetworkPolicy(NetworkPolicies.policyName(name))).as("the policy applied before the refused pod").isNull();
    }
  }
}
