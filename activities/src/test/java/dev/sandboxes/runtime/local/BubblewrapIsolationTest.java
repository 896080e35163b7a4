package dev.sandboxes.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bwrap command line, as a pure function of the sandbox's view. */
class BubblewrapIsolationTest {
  private final BubblewrapIsolation isolation = new BubblewrapIsolation(Path.of("bwrap"));

  private static SandboxView view(Map<String, Path> mounts, boolean network) {
    return new SandboxView("box", Path.of("/sb/box/workspace"), Path.of("/sb/box/tmp"), mounts, network);
  }

  @Test
  void denyAllKeepsTheNetworkUnsharedAndRunsInTheWorkspace() {
    String line = String.join(" ", isolation.commandLine(view(Map.of(), false), List.of("sh", "-c", "id"), Map.of(), null));
    assertThat(line)
        .startsWith("bwrap --tmpfs / --ro-bind /usr /usr ")
        .contains(" --ro-bind /etc /etc --dev /dev --proc /proc --bind /sb/box/tmp /tmp"
            + " --dir /workspace --bind /sb/box/workspace /workspace --unshare-all --hostname box --cap-drop ALL"
            + " --die-with-parent --new-session --clearenv")
        .endsWith(" --dir /workspace --chdir /workspace -- sh -c id")
        .doesNotContain("--share-net");
  }

  @Test
  void egressSharesTheNetwork() {
    assertThat(isolation.commandLine(view(Map.of(), true), List.of("true"), Map.of(), null)).contains("--share-net");
  }

  @Test
  void volumesAreBoundParentFirstAndEnvAndWorkdirApplied() {
    List<String> argv = isolation.commandLine(
        view(Map.of("/data/inner", Path.of("/v/b/data"), "/data", Path.of("/v/a/data")), false),
        List.of("pwd"), Map.of("K", "v"), "/data/inner");
    String line = String.join(" ", argv);
    assertThat(line).contains("--dir /data --bind /v/a/data /data --dir /data/inner --bind /v/b/data /data/inner");
    assertThat(line).contains("--clearenv --setenv PATH " + SandboxView.PATH + " --setenv HOME /workspace --setenv K v");
    assertThat(line).endsWith("--dir /data/inner --chdir /data/inner -- pwd");
  }
}
