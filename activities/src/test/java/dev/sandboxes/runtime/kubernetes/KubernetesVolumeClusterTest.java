package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.VolumeContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The volume contract against a real cluster (the rig in deploy/rig): claims that bind, data
 * moved by real sandboxes and by volume helper pods. Runs only in the {@code e2e} profile, and
 * there it fails, never skips, when the rig is not reachable. Same properties as
 * {@link KubernetesRuntimeClusterTest}.
 */
class KubernetesVolumeClusterTest extends VolumeContract {
  private static KubernetesRuntime runtime;

  @BeforeAll
  static void connect() {
    String kubeconfig = System.getProperty("sandboxes.e2e.kubeconfig");
    if (kubeconfig == null || !Files.isRegularFile(Path.of(kubeconfig))) {
      fail("the e2e suite needs the rig: -Dsandboxes.e2e.kubeconfig names no file (got " + kubeconfig
          + "); start it with deploy/rig/up.sh");
    }
    System.setProperty("kubeconfig", kubeconfig);
    String namespace = System.getProperty("sandboxes.e2e.namespace", "sandboxes");
    runtime = KubernetesRuntime.connect(KubernetesRuntimeOptions.builder()
        .namespace(namespace).defaultCpu("100m").defaultMemory("64Mi").defaultVolumeSize("16Mi")
        .build());
  }

  @AfterAll
  static void close() {
    if (runtime != null) {
      runtime.close();
    }
  }

  /** More cycles than the rig has PVs (12), so some claims must bind to recycled, scrubbed PVs. */
  @Override
  protected int reuseCycles() {
    return 15;
  }

  @Override
  protected SandboxRuntime runtime() {
    return runtime;
  }
}
