package dev.sandboxes.runtime.kubernetes;


import dev.sandboxes.runtime.RetriedLikeActivities;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.VolumeContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The volume contract against a real cluster (the rig in deploy/rig): claims that bind, data
 * moved by real sandboxes and by volume helper pods. Runs only in the {@code e2e} profile, and
 * there it fails, never skips, when the rig is not reachable. Same properties as
 * {@link KubernetesRuntimeClusterTest}. File calls go through {@link RetriedLikeActivities}: an
 * exec stream that the API server closes early (seen on the rig for a 1 MiB read) is retried as
 * the volume workflow's activities retry it.
 */
class KubernetesVolumeClusterTest extends VolumeContract {
  private static KubernetesRuntime runtime;
  /** The volume file calls retried as the activities retry them: the runtime alone never does. */
  private static SandboxRuntime retried;

  @BeforeAll
  static void connect() {
    runtime = KubernetesRuntimeClusterTest.connectToRig(
        KubernetesRuntimeClusterTest.options().defaultVolumeSize("16Mi"));
    retried = RetriedLikeActivities.wrap(runtime);
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
    return retried;
  }
}
