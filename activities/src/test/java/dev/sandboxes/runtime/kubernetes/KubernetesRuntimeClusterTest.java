package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.SandboxRuntimeContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The runtime contract against a real cluster (the end-to-end rig in deploy/rig). Runs only in
 * the {@code e2e} profile, and there it fails, never skips, when the rig is not reachable.
 *
 * <p>{@code -Dsandboxes.e2e.kubeconfig=FILE} selects the cluster (install-worker.sh writes the
 * token of the chart's least-privilege ServiceAccount); {@code -Dsandboxes.e2e.namespace} the namespace (default sandboxes).
 */
class KubernetesRuntimeClusterTest extends SandboxRuntimeContract {
  static KubernetesRuntime runtime;

  @BeforeAll
  static void connect() {
    runtime = connectToRig(options().execOutputCapBytes(EXEC_CAP));
    assertThat(runtime.kind()).isEqualTo("kubernetes");
  }

  /** Options for sandboxes on the rig: its namespace ({@code -Dsandboxes.e2e.namespace}), small pods. */
  static KubernetesRuntimeOptions.Builder options() {
    return KubernetesRuntimeOptions.newBuilder().namespace(System.getProperty("sandboxes.e2e.namespace", "sandboxes"))
        .defaultCpu("100m").defaultMemory("64Mi");
  }

  /** A runtime on the rig's kubeconfig ({@code -Dsandboxes.e2e.kubeconfig}); fails loudly without it. */
  static KubernetesRuntime connectToRig(KubernetesRuntimeOptions.Builder options) {
    String kubeconfig = System.getProperty("sandboxes.e2e.kubeconfig");
    if (kubeconfig == null || !Files.isRegularFile(Path.of(kubeconfig))) {
      fail("the e2e suite needs the rig: -Dsandboxes.e2e.kubeconfig names no file (got " + kubeconfig
          + "); start it with deploy/rig/up.sh");
    }
    System.setProperty("kubeconfig", kubeconfig);
    return KubernetesRuntime.connect(options.build());
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
}
