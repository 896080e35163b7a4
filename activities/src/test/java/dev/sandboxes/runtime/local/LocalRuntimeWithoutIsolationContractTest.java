package dev.sandboxes.runtime.local;

import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.SandboxRuntimeContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The runtime contract with plain processes (no isolation), as on machines without bubblewrap. */
class LocalRuntimeWithoutIsolationContractTest extends SandboxRuntimeContract {
  static final int EXEC_CAP = 64 * 1024;

  @TempDir Path root;
  private LocalRuntime runtime;

  @BeforeEach
  void start() {
    runtime = new LocalRuntime(LocalRuntimeOptions.newBuilder()
        .root(root).isolation(IsolationMode.NONE).execOutputCapBytes(EXEC_CAP).build());
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
