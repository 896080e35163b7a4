package dev.sandboxes.runtime.local;

import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.SandboxRuntimeContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime contract under bubblewrap. Isolation is BUBBLEWRAP, not AUTO: on a machine
 * without a working {@code bwrap} this suite fails instead of quietly testing plain processes.
 */
class LocalRuntimeContractTest extends SandboxRuntimeContract {
  static final int EXEC_CAP = 64 * 1024;

  @TempDir Path root;
  private LocalRuntime runtime;

  @BeforeEach
  void start() {
    runtime = new LocalRuntime(LocalRuntimeOptions.newBuilder()
        .root(root).isolation(isolation()).execOutputCapBytes(EXEC_CAP).build());
  }

  protected IsolationMode isolation() {
    return IsolationMode.BUBBLEWRAP;
  }

  @AfterEach
  void stop() {
    runtime.close();
  }

  @Override
  protected SandboxRuntime runtime() {
    return runtime;
  }

  @Override
  protected int execOutputCap() {
    return EXEC_CAP;
  }
}
