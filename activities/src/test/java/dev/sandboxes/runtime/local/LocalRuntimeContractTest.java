package dev.sandboxes.runtime.local;

import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.SandboxRuntimeContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runtime contract under bubblewrap. Isolation is BUBBLEWRAP, not AUTO: on a machine
 * without a working {@code bwrap} this suite fails instead of quietly testing plain processes.
 */
class LocalRuntimeContractTest extends SandboxRuntimeContract {
  @RegisterExtension final LocalRuntimeFixture local =
      LocalRuntimeFixture.with(b -> b.isolation(isolation()).execOutputCapBytes(EXEC_CAP));

  protected IsolationMode isolation() {
    return IsolationMode.BUBBLEWRAP;
  }

  @Override
  protected SandboxRuntime runtime() {
    return local.runtime();
  }

  @Override
  protected boolean keepsExecs() {
    return true;
  }
}
