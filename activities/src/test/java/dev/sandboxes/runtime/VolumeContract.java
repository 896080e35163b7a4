package dev.sandboxes.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumeInUseException;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What volumes must do with real data, on platforms that really run commands and move bytes
 * (bubblewrap locally, a real cluster): data outlives sandboxes and is shared between them, a
 * deleted volume's name comes back empty, and the file API reads and writes what sandboxes see
 * without ever leaving the volume. The fabric8 mock server serves only scripted exec, so the
 * Kubernetes side of these runs on the rig.
 */
public abstract class VolumeContract {
  protected static final Duration WAIT = Duration.ofSeconds(90);

  private final List<String> sandboxes = new ArrayList<>();
  private final List<String> volumes = new ArrayList<>();

  protected abstract SandboxRuntime runtime();

  /** An image with a POSIX shell and coreutils-like tools. */
  protected String image() {
    return "busybox:1.36";
  }

  /** How often {@link #aNameIsReusableAfterDeleteAndTheNewVolumeStartsEmpty} deletes and re-creates. */
  protected int reuseCycles() {
    return 4;
  }

  protected String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void cleanUp() {
    for (String name : sandboxes) {
      try {
        runtime().delete(name);
      } catch (RuntimeException e) {
        // Best effort: the test's own assertions already reported what went wrong.
      }
    }
    for (String name : volumes) {
      try {
        runtime().deleteVolume(name);
      } catch (RuntimeException e) {
        // As above.
      }
    }
  }

  /** A new volume, ready. */
  protected String readyVolume(String prefix) throws Exception {
    String name = uniqueName(prefix);
    volumes.add(name);
    return createReady(name, ownerOf(name));
  }

  private String createReady(String name, SandboxOwner owner) throws Exception {
    VolumeState state = runtime().createVolume(name, VolumeSpec.defaults(), owner);
    Instant deadline = Instant.now().plus(WAIT);
    while (!state.phase().equals(VolumeState.READY)) {
      assertThat(state.phase()).as("volume %s", state).isNotEqualTo(VolumeState.FAILED);
      assertThat(Instant.now()).as("volume %s became ready in time (now %s)", name, state)
          .isBefore(deadline);
      state = runtime().awaitVolumeChange(name, state.phase(), Duration.ofSeconds(10));
    }
    return name;
  }

  protected SandboxOwner ownerOf(String name) {
    return new SandboxOwner("volume/" + name, "run-" + name);
  }

  /** A running idle sandbox that mounts {@code volume} at {@code /data}. */
  protected String sandboxWith(String volume) throws Exception {
    String name = uniqueName("sb");
    sandboxes.add(name);
    runtime().create(SandboxSpec.builder(image()).name(name).volume("/data", volume).build(),
        new SandboxOwner("sandbox/" + name, "run-" + name));
    awaitPhase(name, SandboxPhase.RUNNING);
    return name;
  }

  protected RuntimeState awaitPhase(String name, SandboxPhase target) throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    RuntimeState state = runtime().inspect(name);
    while (state.phase() != target) {
      assertThat(state.phase().terminal()).as("%s ended as %s", name, state).isFalse();
      assertThat(Instant.now()).as("%s reached %s in time (now %s)", name, target, state)
          .isBefore(deadline);
      state = runtime().awaitChange(name, state.phase(), Duration.ofSeconds(10));
    }
    return state;
  }

  protected ExecResult sh(String sandbox, String script) throws Exception {
    ExecResult result = runtime().exec(sandbox, ExecRequest.of("sh", "-c", script));
    assertThat(result.exitCode()).as("exit code of %s: %s", script, result).isZero();
    return result;
  }

  protected void deleteSandbox(String name) {
    runtime().delete(name);
    sandboxes.remove(name);
  }

  private static String text(FileChunk chunk) {
    return new String(chunk.data(), StandardCharsets.UTF_8);
  }

  @Test
  void dataWrittenBySandboxAIsReadBySandboxB() throws Exception {
    String volume = readyVolume("shared");
    String a = sandboxWith(volume);
    sh(a, "echo hi > /data/x");
    deleteSandbox(a);
    String b = sandboxWith(volume);
    assertThat(sh(b, "cat /data/x").stdout()).isEqualTo("hi\n");
  }

  @Test
  void dataSurvivesTheDeletionOfItsWriter() throws Exception {
    String volume = readyVolume("lasting");
    String writer = sandboxWith(volume);
    sh(writer, "mkdir -p /data/out && echo result > /data/out/r.txt");
    deleteSandbox(writer);
    assertThat(runtime().attachedTo(volume)).isEmpty();
    assertThat(text(runtime().readFile(volume, "/out/r.txt", 0, 100))).isEqualTo("result\n");
  }

  @Test
  void aNameIsReusableAfterDeleteAndTheNewVolumeStartsEmpty() throws Exception {
    String name = uniqueName("reused");
    volumes.add(name);
    for (int cycle = 1; cycle <= reuseCycles(); cycle++) {
      createReady(name, new SandboxOwner("volume/" + name, "run-" + cycle));
      assertThat(runtime().listFiles(name, "/")).as("volume %s in cycle %d", name, cycle).isEmpty();
      runtime().writeFile(name, "/cycle.txt", ("cycle " + cycle).getBytes(StandardCharsets.UTF_8));
      assertThat(runtime().listFiles(name, "/")).extracting(FileEntry::path).containsExactly("/cycle.txt");
      runtime().deleteVolume(name);
      assertThatThrownBy(() -> runtime().inspectVolume(name)).isInstanceOf(SandboxNotFoundException.class);
    }
  }

  @Test
  void deleteWhileAttachedIsRefusedNamingTheSandbox() throws Exception {
    String volume = readyVolume("busy");
    String user = sandboxWith(volume);
    assertThat(runtime().attachedTo(volume)).containsExactly(user);
    assertThatThrownBy(() -> runtime().deleteVolume(volume))
        .isInstanceOfSatisfying(VolumeInUseException.class, e -> {
          assertThat(e.sandboxes()).containsExactly(user);
          assertThat(e.getMessage()).contains(volume, user);
        });
    assertThat(runtime().inspectVolume(volume).name()).isEqualTo(volume);
    deleteSandbox(user);
    assertThat(runtime().attachedTo(volume)).isEmpty();
    runtime().deleteVolume(volume);
    volumes.remove(volume);
    assertThatThrownBy(() -> runtime().inspectVolume(volume)).isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void fileApiWritesListsReadsARangeAndMoves() throws Exception {
    String volume = readyVolume("files");
    FileEntry written = runtime().writeFile(volume, "/in/hello.txt",
        "hello, volume".getBytes(StandardCharsets.UTF_8));
    assertThat(written.path()).isEqualTo("/in/hello.txt");
    assertThat(written.type()).isEqualTo(FileEntry.FILE);
    assertThat(written.size()).isEqualTo(13);
    runtime().writeFile(volume, "/in/name with space\tand tab ü", new byte[] {1, 2, 3});

    Instant start = Instant.now();
    List<FileEntry> root = runtime().listFiles(volume, "/");
    System.out.printf("one file operation (list /): %d ms (%s)%n",
        Duration.between(start, Instant.now()).toMillis(), runtime().kind());
    assertThat(root).extracting(FileEntry::path, FileEntry::type)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("/in", FileEntry.DIR));
    assertThat(runtime().listFiles(volume, "/in")).extracting(FileEntry::path, FileEntry::size)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("/in/hello.txt", 13L),
            org.assertj.core.groups.Tuple.tuple("/in/name with space\tand tab ü", 3L));
    assertThat(runtime().listFiles(volume, "/in/hello.txt")).extracting(FileEntry::path)
        .containsExactly("/in/hello.txt");

    FileChunk range = runtime().readFile(volume, "/in/hello.txt", 7, 3);
    assertThat(text(range)).isEqualTo("vol");
    assertThat(range.size()).isEqualTo(13);
    assertThat(range.eof()).isFalse();
    FileChunk tail = runtime().readFile(volume, "/in/hello.txt", 7, 100);
    assertThat(text(tail)).isEqualTo("volume");
    assertThat(tail.eof()).isTrue();

    runtime().moveFile(volume, "/in/hello.txt", "/out/moved.txt");
    assertThat(text(runtime().readFile(volume, "/out/moved.txt", 0, 100))).isEqualTo("hello, volume");
    assertThatThrownBy(() -> runtime().readFile(volume, "/in/hello.txt", 0, 1))
        .isInstanceOf(SandboxNotFoundException.class);
    assertThatThrownBy(() -> runtime().moveFile(volume, "/in/name with space\tand tab ü", "/out/moved.txt"))
        .isInstanceOfSatisfying(InvalidSpecException.class,
            e -> assertThat(e.violations()).extracting(Violation::field).containsExactly("to"));
    assertThatThrownBy(() -> runtime().readFile(volume, "/out", 0, 1))
        .isInstanceOfSatisfying(InvalidSpecException.class,
            e -> assertThat(e.violations()).extracting(Violation::field).containsExactly("path"));
    assertThatThrownBy(() -> runtime().listFiles(volume, "/nowhere"))
        .isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void filesWrittenThroughTheApiAreSeenBySandboxesAndTheOtherWayRound() throws Exception {
    String volume = readyVolume("both-ways");
    runtime().writeFile(volume, "/from-api.txt", "api\n".getBytes(StandardCharsets.UTF_8));
    String sandbox = sandboxWith(volume);
    assertThat(sh(sandbox, "cat /data/from-api.txt").stdout()).isEqualTo("api\n");
    sh(sandbox, "echo sandbox > /data/from-sandbox.txt");
    assertThat(text(runtime().readFile(volume, "/from-sandbox.txt", 0, 100))).isEqualTo("sandbox\n");
  }

  @Test
  void aWholeMebibyteIsWrittenAndReadBackIntact() throws Exception {
    String volume = readyVolume("big");
    byte[] data = new byte[VolumePaths.MAX_TRANSFER];
    new Random(42).nextBytes(data);
    Instant start = Instant.now();
    FileEntry entry = runtime().writeFile(volume, "/blob.bin", data);
    Duration write = Duration.between(start, Instant.now());
    assertThat(entry.size()).isEqualTo(data.length);
    start = Instant.now();
    FileChunk read = runtime().readFile(volume, "/blob.bin", 0, VolumePaths.MAX_TRANSFER);
    Duration readTime = Duration.between(start, Instant.now());
    System.out.printf("1 MiB file: write %d ms, read %d ms (%s)%n", write.toMillis(),
        readTime.toMillis(), runtime().kind());
    assertThat(read.data()).isEqualTo(data);
    assertThat(read.eof()).isTrue();
  }

  @Test
  void anOverwriteReplacesTheWholeFile() throws Exception {
    String volume = readyVolume("overwrite");
    runtime().writeFile(volume, "/f", "a much longer first version".getBytes(StandardCharsets.UTF_8));
    runtime().writeFile(volume, "/f", "short".getBytes(StandardCharsets.UTF_8));
    assertThat(text(runtime().readFile(volume, "/f", 0, 100))).isEqualTo("short");
    assertThat(runtime().listFiles(volume, "/")).extracting(FileEntry::path).containsExactly("/f");
  }

  @Test
  void pathsCannotEscapeTheVolumeThroughSymlinksASandboxPlanted() throws Exception {
    String volume = readyVolume("escape");
    String sandbox = sandboxWith(volume);
    sh(sandbox, "ln -s / /data/root && ln -s /etc/passwd /data/passwd && mkdir /data/d "
        + "&& ln -s ../../.. /data/d/up && echo inside > /data/d/ok");
    deleteSandbox(sandbox);

    assertThat(runtime().listFiles(volume, "/")).extracting(FileEntry::path, FileEntry::type)
        .contains(org.assertj.core.groups.Tuple.tuple("/root", FileEntry.LINK),
            org.assertj.core.groups.Tuple.tuple("/passwd", FileEntry.LINK));
    assertEscapeRefused(() -> runtime().readFile(volume, "/passwd", 0, 100), "path");
    assertEscapeRefused(() -> runtime().readFile(volume, "/root/etc/passwd", 0, 100), "path");
    assertEscapeRefused(() -> runtime().listFiles(volume, "/root"), "path");
    assertEscapeRefused(() -> runtime().listFiles(volume, "/d/up"), "path");
    assertEscapeRefused(() -> runtime().writeFile(volume, "/root/tmp/planted", new byte[] {1}), "path");
    assertEscapeRefused(() -> runtime().writeFile(volume, "/d/up/planted", new byte[] {1}), "path");
    runtime().writeFile(volume, "/d/ok2", new byte[] {1});
    assertEscapeRefused(() -> runtime().moveFile(volume, "/d/ok2", "/root/tmp/moved"), "to");
    assertEscapeRefused(() -> runtime().moveFile(volume, "/root/etc/hostname", "/stolen"), "from");
    assertThatThrownBy(() -> runtime().readFile(volume, "/../etc/passwd", 0, 100))
        .isInstanceOf(InvalidSpecException.class);
    assertThat(text(runtime().readFile(volume, "/d/ok", 0, 100))).isEqualTo("inside\n");
  }

  private static void assertEscapeRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      String field) {
    assertThatThrownBy(call).isInstanceOfSatisfying(InvalidSpecException.class,
        e -> assertThat(e.violations()).extracting(Violation::field).containsExactly(field));
  }
}
