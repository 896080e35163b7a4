package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.SandboxRuntimeContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sandboxes under a sandboxed runtime class: the rig's RuntimeClass {@code gvisor} (gVisor's
 * runsc, systrap platform; deploy/rig/up.sh). A sandbox whose worker sets
 * {@code runtimeClassName: gvisor} sees gVisor's kernel, not the node's, and the whole runtime
 * contract (output, exit codes, logs, exec's streams, caps, stdin, timeouts) holds there as under
 * runc. e2e profile only; fails, never skips, without the rig.
 */
class KubernetesGvisorClusterTest extends SandboxRuntimeContract {
  static KubernetesRuntime runtime;

  @BeforeAll
  static void connect() {
    runtime = KubernetesRuntimeClusterTest.connectToRig(KubernetesRuntimeClusterTest.options()
        .execOutputCapBytes(EXEC_CAP).runtimeClassName("gvisor"));
  }

  @AfterAll
  static void close() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Override
  protected SandboxRuntime runtime() {
    return runtime;
  }

  @Test
  void aSandboxOfTheRuntimeClassSeesGvisorsKernelNotTheNodes() throws Exception {
    String name = startIdle("gvisor");
    try {
      String nodeKernel;
      try (var admin = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(io.fabric8.kubernetes.client.Config
          .fromKubeconfig(java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("sandboxes.e2e.adminKubeconfig")))))
          .build()) {
        nodeKernel = admin.nodes().list().getItems().get(0).getStatus().getNodeInfo().getKernelVersion();
        assertThat(admin.pods().inNamespace(KubernetesRuntimeClusterTest.options().build().namespace()).withName(name).get()
            .getSpec().getRuntimeClassName()).isEqualTo("gvisor");
      }
      ExecResult release = runtime.exec(name, ExecRequest.of("uname", "-r"));
      assertThat(release.exitCode()).isZero();
      assertThat(release.stdout().trim()).as("the kernel release a sandbox sees").isNotEqualTo(nodeKernel).contains("gvisor");
      assertThat(runtime.exec(name, ExecRequest.of("cat", "/proc/version")).stdout()).doesNotContain(nodeKernel);
    } finally {
      runtime.delete(name);
    }
  }
}
