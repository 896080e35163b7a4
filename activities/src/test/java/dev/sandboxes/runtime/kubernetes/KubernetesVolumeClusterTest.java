package dev.sandboxes.runtime.kubernetes;


import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.VolumeContract;
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
    runtime = KubernetesRuntimeClusterTest.connectToRig(
        KubernetesRuntimeClusterTest.options().defaultVolumeSize("16Mi"));
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
