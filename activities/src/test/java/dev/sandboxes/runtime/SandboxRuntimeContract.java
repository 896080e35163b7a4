package dev.sandboxes.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.OutputPiece;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SandboxRuntime} owes the activities. Subclasses supply the runtime
 * and, where the platform has no real kubelet (the fabric8 mock server), script what the main
 * process and exec produce through the {@code script*} hooks; real platforms ignore the hooks
 * and run the commands.
 */
public abstract class SandboxRuntimeContract {

  protected static final Duration PHASE_WAIT = Duration.ofSeconds(90);

  /** The runtime under test, fresh or shared; names are unique per test. */
  protected abstract SandboxRuntime runtime();

  /** The exec output cap (bytes per stream) every runtime under this contract is configured with. */
  protected static final int EXEC_CAP = 64 * 1024;

  /** An image with a POSIX shell, {@code head}, {@code tr} and {@code sleep}. */
  protected String image() {
    return "busybox:1.36";
  }

  /** Scripts the main process of {@code name}: the lines it prints, then its exit code. */
  protected void scriptMainProcess(String name, List<String> output, int exitCode) {}

  /** Scripts an exec of {@code argv} in {@code name}; {@code exitCode} null means it never ends. */
  protected void scriptExec(String name, List<String> argv, String stdout, String stderr,
      Integer exitCode) {}

  protected String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  protected SandboxOwner ownerOf(String name) {
    return new SandboxOwner("sandbox/" + name, "run-" + name);
  }

  protected RuntimeState awaitPhase(String name, Set<SandboxPhase> targets) throws Exception {
    Instant deadline = Instant.now().plus(PHASE_WAIT);
    RuntimeState state = runtime().inspect(name);
    while (!targets.contains(state.phase())) {
      assertThat(Instant.now()).as("%s reached %s in time (now %s)", name, targets, state)
          .isBefore(deadline);
      assertThat(state.phase().terminal())
          .as("%s ended as %s while waiting for %s", name, state, targets).isFalse();
      state = runtime().awaitChange(name, state.phase(), Duration.ofSeconds(10));
    }
    return state;
  }

  protected String startIdle(String prefix) throws Exception {
    String name = uniqueName(prefix);
    scriptMainProcess(name, List.of(), 0);
    runtime().create(SandboxSpec.builder(image()).name(name).build(), ownerOf(name));
    awaitPhase(name, EnumSet.of(SandboxPhase.RUNNING));
    return name;
  }

  protected String run(String prefix, List<String> output, int exitCode, String script)
      throws Exception {
    String name = uniqueName(prefix);
    scriptMainProcess(name, output, exitCode);
    runtime().create(
        SandboxSpec.builder(image()).name(name).command("sh", "-c", script).build(), ownerOf(name));
    return name;
  }

  @Test
  void idleSandboxReachesRunning() throws Exception {
    String name = uniqueName("idle");
    scriptMainProcess(name, List.of(), 0);
    RuntimeState created =
        runtime().create(SandboxSpec.builder(image()).name(name).build(), ownerOf(name));
    assertThat(created.phase()).isIn(SandboxPhase.QUEUED, SandboxPhase.CREATING, SandboxPhase.RUNNING);
    RuntimeState running = awaitPhase(name, EnumSet.of(SandboxPhase.RUNNING));
    assertThat(running.ref()).isNotNull();
    assertThat(running.ref().runtime()).isEqualTo(runtime().kind());
    assertThat(running.startedAt()).isNotNull();
    runtime().delete(name);
  }

  @Test
  void createIsIdempotentForTheSameOwner() throws Exception {
    String name = uniqueName("twice");
    scriptMainProcess(name, List.of(), 0);
    SandboxSpec spec = SandboxSpec.builder(image()).name(name).build();
    RuntimeState first = runtime().create(spec, ownerOf(name));
    RuntimeState second = runtime().create(spec, ownerOf(name));
    assertThat(second.ref().object()).isEqualTo(first.ref().object());
    awaitPhase(name, EnumSet.of(SandboxPhase.RUNNING));
    runtime().delete(name);
  }

  @Test
  void createRefusesAnObjectOfAnotherOwner() throws Exception {
    String name = uniqueName("owned");
    scriptMainProcess(name, List.of(), 0);
    SandboxSpec spec = SandboxSpec.builder(image()).name(name).build();
    runtime().create(spec, ownerOf(name));
    assertThatThrownBy(() -> runtime().create(spec, new SandboxOwner("sandbox/" + name, "other-run")))
        .isInstanceOfSatisfying(PlatformException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.NAME_CONFLICT);
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains(name);
        });
    runtime().delete(name);
  }

  @Test
  void createRejectsAnInvalidSpec() {
    String name = uniqueName("bad");
    SandboxSpec spec = SandboxSpec.builder(image()).name(name).cpu("lots").build();
    assertThatThrownBy(() -> runtime().create(spec, ownerOf(name)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("cpu: must be a Kubernetes quantity");
    assertThatThrownBy(() -> runtime().inspect(name)).isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void mainProcessExitingZeroSucceedsAndKeepsItsLogs() throws Exception {
    String name = run("ok", List.of("hello", "world"), 0, "echo hello; echo world");
    RuntimeState done = awaitPhase(name, EnumSet.of(SandboxPhase.SUCCEEDED));
    assertThat(done.exitCode()).isEqualTo(0);
    assertThat(done.finishedAt()).isNotNull();
    LogChunk logs = runtime().logs(name, LogRequest.defaults());
    assertThat(logs.lines()).extracting(LogLine::text).containsExactly("hello", "world");
    assertThat(logs.lines()).allSatisfy(l -> assertThat(l.timestamp()).isNotNull());
    assertThat(logs.truncated()).isFalse();
    runtime().delete(name);
  }

  @Test
  void mainProcessExitingNonZeroFailsWithItsExitCode() throws Exception {
    String name = run("bad-exit", List.of("oops"), 3, "echo oops; exit 3");
    RuntimeState done = awaitPhase(name, EnumSet.of(SandboxPhase.FAILED));
    assertThat(done.exitCode()).isEqualTo(3);
    assertThat(done.reason()).isEqualTo("Error");
    runtime().delete(name);
  }

  @Test
  void logsHonourTailAndSince() throws Exception {
    String name = run("tail", List.of("l1", "l2", "l3", "l4", "l5"), 0,
        "for i in 1 2 3 4 5; do echo l$i; done");
    awaitPhase(name, EnumSet.of(SandboxPhase.SUCCEEDED));
    LogChunk tail = runtime().logs(name, LogRequest.lastLines(2));
    assertThat(tail.lines()).extracting(LogLine::text).containsExactly("l4", "l5");
    assertThat(tail.truncated()).isTrue();
    LogChunk future = runtime().logs(name, new LogRequest(null, Instant.now().plusSeconds(3600)));
    assertThat(future.lines()).isEmpty();
    runtime().delete(name);
  }

  @Test
  void execReturnsStdoutStderrAndExitCode() throws Exception {
    String name = startIdle("exec");
    List<String> argv = List.of("sh", "-c", "echo out; echo err >&2; exit 7");
    scriptExec(name, argv, "out\n", "err\n", 7);
    ExecResult result = runtime().exec(name, new ExecRequest(argv, null, null, null, null));
    assertThat(result.exitCode()).isEqualTo(7);
    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr()).isEqualTo("err\n");
    assertThat(result.timedOut()).isFalse();
    assertThat(result.stdoutTruncated()).isFalse();
    runtime().delete(name);
  }

  @Test
  void execAppliesEnvAndWorkdir() throws Exception {
    String name = startIdle("exec-env");
    List<String> argv = List.of("sh", "-c", "echo $GREETING; pwd");
    scriptExec(name, argv, "hi\n/tmp\n", "", 0);
    ExecResult result = runtime().exec(name,
        new ExecRequest(argv, java.util.Map.of("GREETING", "hi"), "/tmp", null, null));
    assertThat(result.stdout()).isEqualTo("hi\n/tmp\n");
    assertThat(result.exitCode()).isZero();
    runtime().delete(name);
  }

  @Test
  void execFeedsStdin() throws Exception {
    String name = startIdle("exec-in");
    List<String> argv = List.of("cat");
    scriptExec(name, argv, "from stdin\n", "", 0);
    ExecResult result = runtime().exec(name, ExecRequest.of("cat").withStdin("from stdin\n"));
    assertThat(result.stdout()).isEqualTo("from stdin\n");
    runtime().delete(name);
  }

  @Test
  void execTruncatesOutputBeyondTheCapAndSaysSo() throws Exception {
    String name = startIdle("exec-big");
    int size = EXEC_CAP + 4096;
    List<String> argv = List.of("sh", "-c", "head -c " + size + " /dev/zero | tr '\\0' a; echo done >&2");
    scriptExec(name, argv, "a".repeat(size), "done\n", 0);
    ExecResult result = runtime().exec(name, new ExecRequest(argv, null, null, null, null));
    assertThat(result.stdout()).hasSize(EXEC_CAP);
    assertThat(result.stdoutTruncated()).isTrue();
    assertThat(result.stderr()).isEqualTo("done\n");
    assertThat(result.stderrTruncated()).isFalse();
    assertThat(result.exitCode()).isZero();
    runtime().delete(name);
  }

  @Test
  void execGivesUpAfterItsTimeout() throws Exception {
    String name = startIdle("exec-slow");
    List<String> argv = List.of("sleep", "60");
    scriptExec(name, argv, "", "", null);
    Instant start = Instant.now();
    ExecResult result = runtime().exec(name, ExecRequest.of("sleep", "60").withTimeout(Duration.ofSeconds(1)));
    assertThat(result.timedOut()).isTrue();
    assertThat(result.exitCode()).isEqualTo(ExecResult.TIMED_OUT_EXIT_CODE);
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(20));
    runtime().delete(name);
  }

  /**
   * Whether the runtime keeps every exec by ID with its output for the sandbox's life (the local
   * runtime; Kubernetes with the in-sandbox agent). Runtimes that do not must say so.
   */
  protected boolean keepsExecs() {
    return false;
  }

  @Test
  void anExecIdRunsItsCommandOnceAndTheSameRequestAgainAttachesToIt() throws Exception {
    String name = startIdle("exec-id");
    if (!keepsExecs()) {
      assertThat(runtime().reattaches(name)).isFalse();
      assertThatThrownBy(() -> runtime().execOutput(name, new ExecOutputRequest("any", 0, Duration.ZERO)))
          .isInstanceOfSatisfying(PlatformException.class,
              e -> assertThat(e.type()).isEqualTo(SandboxErrors.RUNTIME_REJECTED));
      runtime().delete(name);
      return;
    }
    assertThat(runtime().reattaches(name)).isTrue();
    String file = "/tmp/" + name + "-runs";
    ExecRequest once = ExecRequest.of("sh", "-c", "echo run >> " + file + "; echo ran; exit 5").withId("once");
    ExecResult first = runtime().exec(name, once);
    ExecResult again = runtime().exec(name, once);
    assertThat(again.exitCode()).isEqualTo(first.exitCode()).isEqualTo(5);
    assertThat(again.stdout()).isEqualTo(first.stdout()).isEqualTo("ran\n");
    assertThat(runtime().exec(name, ExecRequest.of("sh", "-c", "cat " + file + "; rm " + file)).stdout())
        .as("the command ran once").isEqualTo("run\n");
    assertThatThrownBy(() -> runtime().exec(name, ExecRequest.of("true").withId("once")))
        .isInstanceOfSatisfying(PlatformException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.EXEC_ID_IN_USE);
          assertThat(e.retryable()).isFalse();
        });
    assertThatThrownBy(() -> runtime().execOutput(name, new ExecOutputRequest("never", 0, Duration.ZERO)))
        .isInstanceOfSatisfying(PlatformException.class,
            e -> assertThat(e.type()).isEqualTo(SandboxErrors.NOT_FOUND));
    runtime().delete(name);
  }

  @Test
  void anExecsOutputIsReadByOffsetWhileItRunsAndAgainAfterItEnded() throws Exception {
    String name = startIdle("exec-read");
    List<String> argv = List.of("sh", "-c", "echo one; sleep 2; echo two >&2; exit 3");
    scriptExec(name, argv, "one\n", "two\n", 3);
    ExecRequest request = new ExecRequest(argv, null, null, null, null).withId("reader");
    if (!keepsExecs()) {
      // the output comes with the result only, and reading it by ID is refused
      ExecResult whole = runtime().exec(name, request);
      assertThat(whole.stdout()).isEqualTo("one\n");
      assertThat(whole.stderr()).isEqualTo("two\n");
      assertThat(whole.exitCode()).isEqualTo(3);
      assertThatThrownBy(() -> runtime().execOutput(name, new ExecOutputRequest("reader", 0, Duration.ZERO)))
          .isInstanceOfSatisfying(PlatformException.class,
              e -> assertThat(e.type()).isEqualTo(SandboxErrors.RUNTIME_REJECTED));
      runtime().delete(name);
      return;
    }
    java.util.concurrent.CompletableFuture<ExecResult> result = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return runtime().exec(name, request);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    // a read may come before the exec starts: it waits for it
    ExecOutputChunk first = runtime().execOutput(name, new ExecOutputRequest("reader", 0, Duration.ofSeconds(20)));
    assertThat(text(first.pieces(), OutputPiece.Stream.STDOUT)).as("read while it runs").isEqualTo("one\n");
    assertThat(first.ended()).isFalse();
    StringBuilder out = new StringBuilder(text(first.pieces(), OutputPiece.Stream.STDOUT));
    StringBuilder err = new StringBuilder();
    ExecOutputChunk chunk = first;
    while (!chunk.ended()) {
      chunk = runtime().execOutput(name, new ExecOutputRequest("reader", chunk.nextOffset(), Duration.ofSeconds(20)));
      out.append(text(chunk.pieces(), OutputPiece.Stream.STDOUT));
      err.append(text(chunk.pieces(), OutputPiece.Stream.STDERR));
    }
    assertThat(out).hasToString("one\n");
    assertThat(err).hasToString("two\n");
    assertThat(chunk.exitCode()).isEqualTo(3);
    assertThat(result.get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isEqualTo(3);
    ExecOutputChunk again = runtime().execOutput(name, new ExecOutputRequest("reader", 0, Duration.ZERO));
    assertThat(again.ended()).as("the whole output again, with its end").isTrue();
    assertThat(text(again.pieces(), OutputPiece.Stream.STDERR)).isEqualTo("two\n");
    runtime().delete(name);
  }

  @Test
  void theMainCommandsOutputIsFollowedFromItsCurrentEndToItsExit() throws Exception {
    String name = run("follow", List.of("early", "late"), 2, "echo early; sleep 2; echo late; exit 2");
    if (!keepsExecs()) {
      // the command's output is its logs, read once it wrote them; following it is refused
      awaitPhase(name, EnumSet.of(SandboxPhase.FAILED));
      assertThat(runtime().logs(name, LogRequest.defaults()).lines()).extracting(LogLine::text)
          .containsExactly("early", "late");
      assertThatThrownBy(() -> runtime().execOutput(name, new ExecOutputRequest(ExecOutputRequest.MAIN,
          ExecOutputRequest.END, Duration.ZERO)))
          .isInstanceOfSatisfying(PlatformException.class,
              e -> assertThat(e.type()).isEqualTo(SandboxErrors.RUNTIME_REJECTED));
      runtime().delete(name);
      return;
    }
    awaitPhase(name, EnumSet.of(SandboxPhase.RUNNING, SandboxPhase.FAILED));
    StringBuilder head = new StringBuilder();
    ExecOutputChunk start = null;
    while (!head.toString().contains("early\n")) {
      start = runtime().execOutput(name, new ExecOutputRequest(ExecOutputRequest.MAIN,
          start == null ? 0 : start.nextOffset(), Duration.ofSeconds(20)));
      assertThat(start.ended()).as("ended before its first line was read").isFalse();
      start.pieces().forEach(p -> head.append(new String(p.data(), java.nio.charset.StandardCharsets.UTF_8)));
    }
    // "early" was written: from the current end on, only "late" comes
    ExecOutputChunk end = runtime().execOutput(name, new ExecOutputRequest(ExecOutputRequest.MAIN,
        ExecOutputRequest.END, Duration.ZERO));
    assertThat(end.nextOffset()).as("the current end").isNotNegative();
    StringBuilder text = new StringBuilder();
    ExecOutputChunk chunk = end;
    while (!chunk.ended()) {
      chunk = runtime().execOutput(name, new ExecOutputRequest(ExecOutputRequest.MAIN, chunk.nextOffset(),
          Duration.ofSeconds(20)));
      chunk.pieces().forEach(p -> text.append(new String(p.data(), java.nio.charset.StandardCharsets.UTF_8)));
    }
    assertThat(text.toString()).endsWith("late\n").doesNotContain("early");
    assertThat(chunk.exitCode()).isEqualTo(2);
    runtime().delete(name);
  }

  private static String text(List<OutputPiece> pieces, OutputPiece.Stream stream) {
    StringBuilder text = new StringBuilder();
    pieces.stream().filter(p -> p.stream() == stream)
        .forEach(p -> text.append(new String(p.data(), java.nio.charset.StandardCharsets.UTF_8)));
    return text.toString();
  }

  @Test
  void execOnAnUnknownSandboxIsNotFound() {
    assertThatThrownBy(() -> runtime().exec(uniqueName("ghost"), ExecRequest.of("true")))
        .isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void awaitChangeReturnsTheUnchangedStateAfterMaxWait() throws Exception {
    String name = startIdle("steady");
    Instant start = Instant.now();
    RuntimeState state = runtime().awaitChange(name, SandboxPhase.RUNNING, Duration.ofSeconds(1));
    assertThat(state.phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(900))
        .isLessThan(Duration.ofSeconds(15));
    runtime().delete(name);
  }

  @Test
  void deleteIsIdempotentAndRemovesTheSandbox() throws Exception {
    String name = startIdle("gone");
    runtime().delete(name);
    runtime().delete(name);
    assertThatThrownBy(() -> runtime().inspect(name)).isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void deleteOfAnUnknownSandboxSucceeds() {
    runtime().delete(uniqueName("never"));
  }

  @Test
  void volumesAreCreatedIdempotentlyAndDeleted() {
    String name = uniqueName("vol");
    VolumeState created = runtime().createVolume(name, new VolumeSpec("1Mi", null, null), ownerOf("volume-" + name));
    assertThat(created.name()).isEqualTo(name);
    assertThat(created.phase()).isIn(VolumeState.PENDING, VolumeState.READY);
    VolumeState again = runtime().createVolume(name, new VolumeSpec("1Mi", null, null), ownerOf("volume-" + name));
    assertThat(again.name()).isEqualTo(name);
    assertThat(runtime().inspectVolume(name).name()).isEqualTo(name);
    runtime().deleteVolume(name);
    runtime().deleteVolume(name);
    assertThatThrownBy(() -> runtime().inspectVolume(name)).isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void createVolumeRefusesAVolumeOfAnotherOwnerAndLeavesItAlone() {
    String name = uniqueName("vol-owned");
    VolumeState created = runtime().createVolume(name, VolumeSpec.defaults(), ownerOf("volume-" + name));
    assertThatThrownBy(() -> runtime().createVolume(name, VolumeSpec.defaults(),
        new SandboxOwner("volume/" + name, "another-run")))
        .isInstanceOfSatisfying(PlatformException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.NAME_CONFLICT);
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains(name, "another-run");
        });
    assertThat(runtime().inspectVolume(name).ref()).isEqualTo(created.ref());
    runtime().deleteVolume(name);
  }

  @Test
  void awaitVolumeChangeReturnsTheVolumeWithinMaxWait() throws Exception {
    String name = uniqueName("vol-wait");
    VolumeState created = runtime().createVolume(name, VolumeSpec.defaults(), ownerOf("volume-" + name));
    Instant start = Instant.now();
    VolumeState state = runtime().awaitVolumeChange(name, created.phase(), Duration.ofSeconds(1));
    assertThat(state.name()).isEqualTo(name);
    assertThat(state.phase()).isIn(VolumeState.PENDING, VolumeState.READY);
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(15));
    runtime().deleteVolume(name);
  }

  @Test
  void unknownVolumesAreNotFound() {
    String name = uniqueName("vol-ghost");
    assertThatThrownBy(() -> runtime().inspectVolume(name)).isInstanceOf(SandboxNotFoundException.class);
    assertThatThrownBy(() -> runtime().awaitVolumeChange(name, VolumeState.PENDING, Duration.ofSeconds(1)))
        .isInstanceOf(SandboxNotFoundException.class);
    assertThatThrownBy(() -> runtime().listFiles(name, "/")).isInstanceOf(SandboxNotFoundException.class);
    assertThatThrownBy(() -> runtime().writeFile(name, "/x", new byte[1]))
        .isInstanceOf(SandboxNotFoundException.class);
    runtime().deleteVolume(name);
  }

  @Test
  void aVolumeNoSandboxMountsIsAttachedToNothing() {
    String name = uniqueName("vol-free");
    runtime().createVolume(name, VolumeSpec.defaults(), ownerOf("volume-" + name));
    assertThat(runtime().attachedTo(name)).isEmpty();
    runtime().deleteVolume(name);
  }

  @Test
  void fileRequestsWithBadPathsAreRefusedBeforeTouchingTheVolume() {
    String name = uniqueName("vol-paths");
    runtime().createVolume(name, VolumeSpec.defaults(), ownerOf("volume-" + name));
    assertThatThrownBy(() -> runtime().listFiles(name, "/a/../../etc"))
        .isInstanceOfSatisfying(InvalidSpecException.class,
            e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("path"));
    assertThatThrownBy(() -> runtime().readFile(name, "relative", 0, 10))
        .isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> runtime().readFile(name, "/f", 0, VolumePaths.MAX_TRANSFER + 1))
        .isInstanceOfSatisfying(InvalidSpecException.class,
            e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("length"));
    assertThatThrownBy(() -> runtime().writeFile(name, "/", new byte[1]))
        .isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> runtime().writeFile(name, "/big", new byte[VolumePaths.MAX_TRANSFER + 1]))
        .isInstanceOfSatisfying(InvalidSpecException.class,
            e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("data"));
    assertThatThrownBy(() -> runtime().moveFile(name, "/a", "/a/b"))
        .isInstanceOfSatisfying(InvalidSpecException.class,
            e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("to"));
    runtime().deleteVolume(name);
  }
}
