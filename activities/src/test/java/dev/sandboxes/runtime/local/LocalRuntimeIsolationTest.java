package dev.sandboxes.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeInUseException;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.runtime.PlatformException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What bubblewrap isolation guarantees beyond the runtime contract. */
class LocalRuntimeIsolationTest {
  @RegisterExtension final LocalRuntimeFixture local =
      LocalRuntimeFixture.with(b -> b.isolation(IsolationMode.BUBBLEWRAP));
  @TempDir Path host;

  @Test
  void sandboxCannotSeeHostFilesOutsideItsBinds() throws Exception {
    Path secret = Files.writeString(host.resolve("secret.txt"), "do not read");
    String name = startIdle(SandboxSpec.builder("busybox:1.36"));
    ExecResult result = local.runtime().exec(name, ExecRequest.of("sh", "-c",
        "for f in " + secret + " " + local.root() + " /root /home /work; do test -e $f && echo \"seen $f\"; done; ls /"));
    assertThat(result.stdout()).doesNotContain("seen");
    assertThat(result.stdout().lines().collect(Collectors.toSet()))
        .isSubsetOf("bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "dev", "proc", "tmp", "workspace");
  }

  @Test
  void denyAllEgressLeavesOnlyLoopback() throws Exception {
    String name = startIdle(SandboxSpec.builder("busybox:1.36"));
    assertThat(interfaces(name)).containsExactly("lo");
  }

  @Test
  void unrestrictedEgressSharesTheHostNetwork() throws Exception {
    String name = startIdle(SandboxSpec.builder("busybox:1.36").egress(EgressPolicy.allowAll()));
    Set<String> hostInterfaces = interfacesIn(Files.readString(Path.of("/proc/net/dev")));
    assertThat(interfaces(name)).isEqualTo(hostInterfaces);
  }

  @Test
  void anEgressAllowListIsRefusedNamingTheFieldAndNothingIsStarted() {
    String name = uniqueName("allow");
    assertThatThrownBy(() -> local.runtime().create(SandboxSpec.builder("busybox:1.36").name(name)
        .egress(EgressPolicy.allow("10.0.0.0/8")).build(), ownerOf(name)))
        .isInstanceOfSatisfying(dev.sandboxes.model.InvalidSpecException.class, e -> assertThat(e.violations())
            .extracting(dev.sandboxes.model.Violation::field).containsExactly("egress.allowedCidrs"))
        .hasMessageContaining("cannot be enforced by the local runtime");
    assertThat(local.runtime().ownedObjects()).noneMatch(o -> o.name().equals(name));
  }

  @Test
  void anAllowListOfHostsIsRefusedNotWidened() {
    String name = uniqueName("hosts");
    assertThatThrownBy(() -> local.runtime().create(SandboxSpec.builder("busybox:1.36").name(name)
        .egress(new EgressPolicy(false, java.util.List.of("10.0.0.0/8"), java.util.List.of("pypi.org:443")))
        .build(), ownerOf(name)))
        .isInstanceOfSatisfying(dev.sandboxes.model.InvalidSpecException.class, e -> assertThat(e.violations())
            .extracting(dev.sandboxes.model.Violation::field).containsExactly("egress.allowedCidrs", "egress.allowedHosts"))
        .hasMessageContaining("Kubernetes with the egress proxy");
    assertThat(local.runtime().ownedObjects()).noneMatch(o -> o.name().equals(name));
  }

  @Test
  void execSeesTheFilesOfTheMainProcess() throws Exception {
    String name = uniqueName("shared");
    local.runtime().create(SandboxSpec.builder("busybox:1.36").name(name)
        .command("sh", "-c", "echo from-workspace > /workspace/a; echo from-tmp > /tmp/b; echo ready; exec sleep 600")
        .build(), ownerOf(name));
    awaitLogLine(name, "ready");
    ExecResult result = local.runtime().exec(name, ExecRequest.of("cat", "/workspace/a", "/tmp/b"));
    assertThat(result.stdout()).isEqualTo("from-workspace\nfrom-tmp\n");
  }

  @Test
  void mainProcessRunsInItsWorkdirWithACleanEnvironment() throws Exception {
    String name = uniqueName("workdir");
    local.runtime().create(SandboxSpec.builder("busybox:1.36").name(name).workdir("/workspace/sub").env("COLOR", "red")
        .command("sh", "-c", "pwd; echo $HOME; echo $COLOR; env | cut -d= -f1 | sort | tr '\\n' ' '").build(),
        ownerOf(name));
    awaitTerminal(name);
    List<String> lines = local.runtime().logs(name, LogRequest.defaults()).lines().stream().map(LogLine::text).toList();
    assertThat(lines.subList(0, 3)).containsExactly("/workspace/sub", "/workspace", "red");
    assertThat(Arrays.asList(lines.get(3).trim().split(" ")))
        .isSubsetOf("COLOR", "HOME", "OLDPWD", "PATH", "PWD", "SHLVL", "_");
  }

  @Test
  void volumeDataWrittenByOneSandboxIsReadByAnother() throws Exception {
    String volume = uniqueName("vol");
    local.runtime().createVolume(volume, VolumeSpec.defaults(), new dev.sandboxes.model.SandboxOwner("volume/" + volume, "run"));
    String writer = uniqueName("writer");
    local.runtime().create(SandboxSpec.builder("busybox:1.36").name(writer).volume("/data", volume)
        .command("sh", "-c", "echo hello > /data/greeting").build(), ownerOf(writer));
    assertThat(awaitTerminal(writer).phase()).isEqualTo(SandboxPhase.SUCCEEDED);

    String reader = startIdle(SandboxSpec.builder("busybox:1.36").volume("/mnt/in", volume));
    assertThat(local.runtime().exec(reader, ExecRequest.of("cat", "/mnt/in/greeting")).stdout()).isEqualTo("hello\n");
  }

  @Test
  void aVolumeMountedByARunningSandboxCannotBeDeleted() throws Exception {
    String volume = uniqueName("busy");
    local.runtime().createVolume(volume, VolumeSpec.defaults(), new dev.sandboxes.model.SandboxOwner("volume/" + volume, "run"));
    String user = startIdle(SandboxSpec.builder("busybox:1.36").volume("/data", volume));
    assertThatThrownBy(() -> local.runtime().deleteVolume(volume))
        .isInstanceOfSatisfying(VolumeInUseException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.VOLUME_IN_USE);
          assertThat(e.sandboxes()).containsExactly(user);
          assertThat(e.getMessage()).contains(volume, user);
        });
    local.runtime().delete(user);
    local.runtime().deleteVolume(volume);
    assertThatThrownBy(() -> local.runtime().inspectVolume(volume)).isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void aSandboxPastItsTtlIsKilledAndFailsWithDeadlineExceeded() throws Exception {
    String name = startIdle(SandboxSpec.builder("busybox:1.36").ttl(Duration.ofSeconds(1)));
    RuntimeState state = awaitTerminal(name);
    assertThat(state.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(state.reason()).isEqualTo("DeadlineExceeded");
    assertThat(state.message()).contains("ttl");
  }

  @Test
  void createWithAMissingVolumeNamesIt() {
    String name = uniqueName("novol");
    assertThatThrownBy(() -> local.runtime().create(
            SandboxSpec.builder("busybox:1.36").name(name).volume("/data", "absent-volume").build(), ownerOf(name)))
        .isInstanceOf(SandboxNotFoundException.class)
        .hasMessageContaining("absent-volume");
    assertThatThrownBy(() -> local.runtime().inspect(name)).isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void aRestartedRuntimeReportsARunningSandboxAsWorkerRestarted() throws Exception {
    String name = startIdle(SandboxSpec.builder("busybox:1.36"));
    long pid = Long.parseLong(Files.readAllLines(local.root().resolve("sandboxes").resolve(name).resolve("sandbox.properties"))
        .stream().filter(l -> l.startsWith("pid=")).findFirst().orElseThrow().substring(4));
    // a dead worker's lock is gone with its process; this one's runtime lives on in this JVM
    local.runtime().abandonRoot();
    try (LocalRuntime restarted = new LocalRuntime(local.options())) {
      RuntimeState state = restarted.inspect(name);
      assertThat(state.phase()).isEqualTo(SandboxPhase.FAILED);
      assertThat(state.reason()).isEqualTo("WorkerRestarted");
      assertThat(state.message()).contains("restarted");

      // The first runtime, still alive in this JVM (after a real restart there is none), may
      // record the end of the process it held while the delete removes the directory; the
      // delete activity retries a retryable failure, and so does this test.
      Awaitility.await("delete on the restarted runtime").atMost(Duration.ofSeconds(10))
          .ignoreExceptionsMatching(e -> e instanceof PlatformException p && p.retryable())
          .until(() -> {
            restarted.delete(name);
            return true;
          });
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("the orphaned main process was killed").isFalse();
      assertThatThrownBy(() -> restarted.inspect(name)).isInstanceOf(SandboxNotFoundException.class);
    }
  }

  @Test
  void deleteRightAfterCreateLeavesNoProcessBehind() throws Exception {
    // Killing bwrap itself first used to orphan the sandbox's init while it was still starting.
    for (int i = 0; i < 10; i++) {
      String name = startIdle(SandboxSpec.builder("busybox:1.36"));
      String dir = local.root().resolve("sandboxes").resolve(name).toString();
      local.runtime().delete(name);
      assertThat(ProcessHandle.allProcesses()
              .filter(p -> p.info().commandLine().map(c -> c.contains(dir)).orElse(false)))
          .as("processes of deleted sandbox %s", name).isEmpty();
    }
  }

  @Test
  void aSandboxOutlivesTheThreadThatCreatedIt() throws Exception {
    // --die-with-parent signals on the death of the creating thread, not of the worker.
    String name = uniqueName("thread");
    Thread creator = new Thread(() -> local.runtime().create(SandboxSpec.builder("busybox:1.36").name(name).build(), ownerOf(name)));
    creator.start();
    creator.join();
    RuntimeState state = local.runtime().awaitChange(name, SandboxPhase.RUNNING, Duration.ofSeconds(1));
    assertThat(state.phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(local.runtime().exec(name, ExecRequest.of("true")).exitCode()).isZero();
  }

  private Set<String> interfaces(String name) throws Exception {
    ExecResult result = local.runtime().exec(name, ExecRequest.of("cat", "/proc/net/dev"));
    assertThat(result.exitCode()).isZero();
    return interfacesIn(result.stdout());
  }

  private static Set<String> interfacesIn(String procNetDev) {
    return procNetDev.lines().skip(2).map(l -> l.substring(0, l.indexOf(':')).trim()).collect(Collectors.toSet());
  }

  private String startIdle(SandboxSpec.Builder spec) throws Exception {
    String name = uniqueName("iso");
    RuntimeState state = local.runtime().create(spec.name(name).build(), ownerOf(name));
    assertThat(state.phase()).isEqualTo(SandboxPhase.RUNNING);
    return name;
  }

  private RuntimeState awaitTerminal(String name) throws Exception {
    RuntimeState state = local.runtime().inspect(name);
    Instant deadline = Instant.now().plusSeconds(30);
    while (!state.phase().terminal() && Instant.now().isBefore(deadline)) {
      state = local.runtime().awaitChange(name, state.phase(), Duration.ofSeconds(5));
    }
    return state;
  }

  private void awaitLogLine(String name, String text) {
    Awaitility.await(name + " printed " + text).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> local.runtime().logs(name, LogRequest.defaults()).lines().stream().anyMatch(l -> l.text().equals(text)));
  }

  static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static SandboxOwner ownerOf(String name) {
    return new SandboxOwner("sandbox/" + name, "run-" + name);
  }
}
