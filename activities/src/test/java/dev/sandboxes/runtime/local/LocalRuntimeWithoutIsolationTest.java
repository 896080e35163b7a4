package dev.sandboxes.runtime.local;

import static dev.sandboxes.runtime.local.LocalRuntimeIsolationTest.ownerOf;
import static dev.sandboxes.runtime.local.LocalRuntimeIsolationTest.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the local runtime behaves with plain processes, where it cannot isolate. */
class LocalRuntimeWithoutIsolationTest {
  @RegisterExtension final LocalRuntimeFixture local =
      LocalRuntimeFixture.with(b -> b.isolation(IsolationMode.NONE));

  @Test
  void volumeMountsAreRejectedNamingTheField() {
    local.runtime().createVolume("data", VolumeSpec.defaults(), new dev.sandboxes.model.SandboxOwner("volume/data", "run"));
    String name = uniqueName("vol");
    assertThatThrownBy(() -> local.runtime().create(
            SandboxSpec.builder("busybox:1.36").name(name).volume("/data", "data").build(), ownerOf(name)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("volumeMounts[\"/data\"]")
        .hasMessageContaining("without isolation");
    assertThatThrownBy(() -> local.runtime().inspect(name)).isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void namesThatAreNotLabelsNeverReachTheFilesystem() throws Exception {
    Path marker = Files.writeString(local.root().resolve("keep"), "x");
    assertThatThrownBy(() -> local.runtime().delete("..")).isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> local.runtime().inspect("../sandboxes")).isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> local.runtime().deleteVolume("..")).isInstanceOf(InvalidSpecException.class);
    assertThat(marker).exists();
  }

  @Test
  void deleteKillsTheWholeProcessTree() throws Exception {
    String name = startIdle();
    long shell = Long.parseLong(Files.readAllLines(
            local.root().resolve("sandboxes").resolve(name).resolve("sandbox.properties")).stream()
        .filter(l -> l.startsWith("pid=")).findFirst().orElseThrow().substring(4));
    // the idle shell forks its sleep right after starting
    List<ProcessHandle> tree = Awaitility.await("the idle command's sleep").atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> ProcessHandle.of(shell).orElseThrow().descendants().toList(), t -> !t.isEmpty());
    local.runtime().delete(name);
    // Killed children linger as zombies until the adopting init reaps them: they count as gone.
    assertThat(tree).noneMatch(ProcessTree::running);
  }

  @Test
  void workspacePathsMapIntoTheSandboxDirectory() throws Exception {
    String name = startIdle();
    ExecResult result = local.runtime().exec(name, ExecRequest.of("pwd").withWorkdir("/workspace/sub"));
    assertThat(result.stdout().trim())
        .isEqualTo(local.root().resolve("sandboxes").resolve(name).resolve("workspace").resolve("sub").toString());
  }

  @Test
  void aWorkdirThatIsNeitherWorkspaceNorAHostDirectoryIsRejected() throws Exception {
    String name = startIdle();
    assertThatThrownBy(() -> local.runtime().exec(name, ExecRequest.of("pwd").withWorkdir("/no/such/dir")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("workdir");
  }

  @Test
  void theWorkersEnvironmentDoesNotLeakIn() throws Exception {
    String name = startIdle();
    ExecResult result = local.runtime().exec(name, ExecRequest.of("sh", "-c", "env | cut -d= -f1 | sort | tr '\\n' ' '")
        .withEnv("GREETING", "hi"));
    assertThat(Arrays.asList(result.stdout().trim().split(" ")))
        .contains("GREETING", "PATH", "HOME", "TMPDIR")
        .isSubsetOf("GREETING", "HOME", "OLDPWD", "PATH", "PWD", "SHLVL", "TMPDIR", "_");
  }

  @Test
  void aMissingProgramFailsTheSandboxWithAReason() throws Exception {
    String name = uniqueName("missing");
    local.runtime().create(SandboxSpec.builder("busybox:1.36").name(name).command("no-such-program-here").build(),
        ownerOf(name));
    RuntimeState state = local.runtime().inspect(name);
    assertThat(state.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(state.reason()).isEqualTo("StartError");
  }

  private String startIdle() {
    String name = uniqueName("plain");
    assertThat(local.runtime().create(SandboxSpec.builder("busybox:1.36").name(name).build(), ownerOf(name)).phase())
        .isEqualTo(SandboxPhase.RUNNING);
    return name;
  }
}
