package dev.sandboxes.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One runtime per root: a second one fails to start instead of killing the first one's sandboxes. */
class LocalRuntimeRootLockTest {
  static LocalRuntimeOptions on(Path root) {
    return LocalRuntimeOptions.newBuilder().root(root).isolation(IsolationMode.NONE).build();
  }

  @Test
  void aSecondRuntimeOnTheSameRootIsRefusedAndTheFirstOnesSandboxKeepsRunning(@TempDir Path root) throws Exception {
    try (LocalRuntime first = new LocalRuntime(on(root))) {
      String name = "locked-" + ProcessHandle.current().pid();
      RuntimeState created = first.create(SandboxSpec.builder("busybox:1.36").name(name).build(),
          new SandboxOwner("sandbox/" + name, "run-1"));
      assertThat(created.phase()).isEqualTo(SandboxPhase.RUNNING);

      assertThatThrownBy(() -> new LocalRuntime(on(root)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the local runtime's directory " + root + " is in use by another local runtime on this "
              + "host (process " + ProcessHandle.current().pid() + "); give each worker or `sandbox dev` its own "
              + "directory (sandboxes.local.root)");
      // the refused runtime recovered nothing: the first one's sandbox was not taken for a dead worker's
      assertThat(first.inspect(name).phase()).isEqualTo(SandboxPhase.RUNNING);
      assertThat(first.exec(name, ExecRequest.of("true")).exitCode()).isZero();
    }
    // closed, the root is free again (and what the first left is recovered as usual)
    try (LocalRuntime again = new LocalRuntime(on(root))) {
      assertThat(again.isolation()).isEqualTo(IsolationMode.NONE);
    }
  }

  @Test
  void closeAndDeleteRemovesTheRootWithItsSandboxesAndVolumes(@TempDir Path parent) throws Exception {
    Path root = parent.resolve("stack");
    LocalRuntime runtime = new LocalRuntime(on(root));
    String name = "gone-" + ProcessHandle.current().pid();
    runtime.create(SandboxSpec.builder("busybox:1.36").name(name).build(), new SandboxOwner("sandbox/" + name, "run-1"));
    assertThat(root.resolve("sandboxes").resolve(name)).isDirectory();
    runtime.closeAndDelete();
    assertThat(root).doesNotExist();
    assertThat(Files.list(parent)).isEmpty();
  }
}
