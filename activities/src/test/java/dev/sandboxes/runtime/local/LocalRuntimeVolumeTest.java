package dev.sandboxes.runtime.local;

import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.VolumeContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The volume contract under bubblewrap (volumes need its mount namespace). Isolation is
 * BUBBLEWRAP, not AUTO: without a working {@code bwrap} this fails rather than testing less.
 */
class LocalRuntimeVolumeTest extends VolumeContract {
  @TempDir Path root;
  private LocalRuntime runtime;

  @BeforeEach
  void start() {
    runtime = new LocalRuntime(LocalRuntimeOptions.newBuilder()
        .root(root).isolation(IsolationMode.BUBBLEWRAP).build());
  }

  @AfterEach
  void stop() {
    runtime.close();
  }

  @Override
  protected SandboxRuntime runtime() {
    return runtime;
  }
}
