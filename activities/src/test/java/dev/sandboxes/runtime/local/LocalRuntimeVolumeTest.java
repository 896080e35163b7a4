package dev.sandboxes.runtime.local;

import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.VolumeContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The volume contract under bubblewrap (volumes need its mount namespace). Isolation is
 * BUBBLEWRAP, not AUTO: without a working {@code bwrap} this fails rather than testing less.
 */
class LocalRuntimeVolumeTest extends VolumeContract {
  @RegisterExtension final LocalRuntimeFixture local =
      LocalRuntimeFixture.with(b -> b.isolation(IsolationMode.BUBBLEWRAP));

  @Override
  protected SandboxRuntime runtime() {
    return local.runtime();
  }
}
