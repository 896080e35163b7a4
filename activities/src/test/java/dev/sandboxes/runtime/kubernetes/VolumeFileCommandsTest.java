package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.VolumePaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helper script run by busybox on this machine, as the helper pod's busybox runs it: a
 * directory stands in for the mounted volume and a PATH of busybox applet links for the image.
 * Needs {@code busybox} on the PATH (Debian package busybox-static, which the rig installs too).
 */
class VolumeFileCommandsTest {
  @TempDir Path tmp;
  private Path volume;
  private Path bin;

  @BeforeEach
  void prepare() throws IOException {
    volume = Files.createDirectories(tmp.resolve("volume"));
    bin = Files.createDirectories(tmp.resolve("bin"));
    Path busybox = findBusybox();
    for (String applet : List.of("sh", "stat", "tr", "realpath", "dd", "base64", "mkdir", "mv",
        "rm", "printf", "cat", "head")) {
      Files.createSymbolicLink(bin.resolve(applet), busybox);
    }
  }

  @Test
  void listingKeepsNamesWithSpacesTabsNewlinesAndUnicode() throws Exception {
    Files.createDirectories(volume.resolve("dir"));
    for (String name : List.of("plain.txt", "with space", "tab\there", "new\nline", "ünïcødé", ".hidden")) {
      Files.writeString(volume.resolve("dir").resolve(name), "x");
    }
    Files.createDirectories(volume.resolve("dir/sub"));
    Files.createSymbolicLink(volume.resolve("dir/link"), Path.of("/etc/passwd"));
    Result r = run(VolumeFileCommands.list("/dir"));
    assertThat(r.code).isZero();
    List<FileEntry> entries = VolumeFileCommands.parseListing("/dir", r.out);
    assertThat(entries).extracting(FileEntry::path).containsExactly("/dir/.hidden", "/dir/link",
        "/dir/new\nline", "/dir/plain.txt", "/dir/sub", "/dir/tab\there", "/dir/with space", "/dir/ünïcødé");
    assertThat(entries).filteredOn(e -> e.path().equals("/dir/link")).extracting(FileEntry::type)
        .containsExactly(FileEntry.LINK);
    assertThat(entries).filteredOn(e -> e.path().equals("/dir/sub")).extracting(FileEntry::type)
        .containsExactly(FileEntry.DIR);
    assertThat(entries).filteredOn(e -> e.path().equals("/dir/plain.txt"))
        .extracting(FileEntry::size).containsExactly(1L);
  }

  @Test
  void listingAFileGivesItsOwnEntry() throws Exception {
    Files.writeString(volume.resolve("f"), "abc");
    Result r = run(VolumeFileCommands.list("/f"));
    assertThat(VolumeFileCommands.parseListing("/f", r.out))
        .containsExactly(new FileEntry("/f", FileEntry.FILE, 3,
            Files.getLastModifiedTime(volume.resolve("f")).toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
  }

  @Test
  void aMegabyteWriteArrivesInChunksAndIsReadBackByRange() throws Exception {
    byte[] data = new byte[VolumePaths.MAX_TRANSFER];
    new Random(7).nextBytes(data);
    List<VolumeFileCommands.Exec> execs = VolumeFileCommands.write("/a/b/blob",
        VolumeFileCommands.temporary("/a/b/blob", "u1"), data);
    assertThat(execs).hasSize(VolumePaths.MAX_TRANSFER / VolumeFileCommands.STDIN_CHUNK_BYTES);
    assertThat(execs).allSatisfy(exec ->
        assertThat(exec.stdin()).hasSize(VolumeFileCommands.STDIN_CHUNK_BYTES));
    Result last = null;
    for (VolumeFileCommands.Exec exec : execs) {
      last = run(exec.argv(), exec.stdin(), false);
      assertThat(last.code).as(last.err).isZero();
    }
    assertThat(VolumeFileCommands.parseEntry("/a/b/blob", last.out).size()).isEqualTo(data.length);
    assertThat(Files.readAllBytes(volume.resolve("a/b/blob"))).isEqualTo(data);
    try (var stream = Files.list(volume.resolve("a/b"))) {
      assertThat(stream.map(p -> p.getFileName().toString())).containsExactly("blob");
    }
    Result read = run(VolumeFileCommands.read("/a/b/blob", 1000, 5000));
    VolumeFileCommands.ReadOutput out = VolumeFileCommands.parseRead(read.out);
    assertThat(out.size()).isEqualTo(data.length);
    assertThat(out.data()).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 6000));
    Result all = run(VolumeFileCommands.read("/a/b/blob", 0, VolumePaths.MAX_TRANSFER));
    assertThat(VolumeFileCommands.parseRead(all.out).data()).isEqualTo(data);
  }

  @Test
  void anEmptyWriteCreatesAnEmptyFile() throws Exception {
    List<VolumeFileCommands.Exec> execs =
        VolumeFileCommands.write("/empty", VolumeFileCommands.temporary("/empty", "u"), new byte[0]);
    assertThat(execs).hasSize(1);
    assertThat(execs.get(0).stdin()).isNull();
    Result r = run(execs.get(0).argv());
    assertThat(r.code).isZero();
    assertThat(Files.size(volume.resolve("empty"))).isZero();
  }

  @Test
  void aStreamThatArrivesShortFailsTheWriteAndReplacesNothing() throws Exception {
    Files.writeString(volume.resolve("kept"), "old");
    VolumeFileCommands.Exec exec = VolumeFileCommands.write("/kept",
        VolumeFileCommands.temporary("/kept", "u"), "new content".getBytes(StandardCharsets.UTF_8)).get(0);
    Result r = run(exec.argv(), "new".getBytes(StandardCharsets.UTF_8), true);
    assertThat(r.code).isEqualTo(VolumeFileCommands.SHORT_WRITE);
    assertThat(Files.readString(volume.resolve("kept"))).isEqualTo("old");
  }

  @Test
  void readingPastTheEndGivesNothingAndTheSize() throws Exception {
    Files.writeString(volume.resolve("f"), "abc");
    VolumeFileCommands.ReadOutput out = VolumeFileCommands.parseRead(run(VolumeFileCommands.read("/f", 10, 5)).out);
    assertThat(out.data()).isEmpty();
    assertThat(out.size()).isEqualTo(3);
  }

  @Test
  void exitCodesTellMissingDirectoryExistingAndOutside() throws Exception {
    Files.createDirectories(volume.resolve("d"));
    Files.writeString(volume.resolve("f"), "abc");
    Files.writeString(volume.resolve("g"), "def");
    Files.createSymbolicLink(volume.resolve("out"), tmp);
    Files.writeString(tmp.resolve("secret"), "not yours");
    assertThat(run(VolumeFileCommands.read("/nope", 0, 1)).code).isEqualTo(VolumeFileCommands.MISSING);
    assertThat(run(VolumeFileCommands.read("/d", 0, 1)).code).isEqualTo(VolumeFileCommands.IS_DIRECTORY);
    assertThat(run(VolumeFileCommands.move("/f", "/g")).code).isEqualTo(VolumeFileCommands.EXISTS);
    assertThat(run(VolumeFileCommands.move("/nope", "/h")).code).isEqualTo(VolumeFileCommands.MISSING);
    assertThat(run(VolumeFileCommands.read("/out/secret", 0, 1)).code).isEqualTo(VolumeFileCommands.OUTSIDE_FIRST);
    assertThat(run(VolumeFileCommands.list("/out")).code).isEqualTo(VolumeFileCommands.OUTSIDE_FIRST);
    assertThat(run(VolumeFileCommands.write("/out/x", VolumeFileCommands.temporary("/out/x", "u"),
        "hi".getBytes(StandardCharsets.UTF_8)).get(0).argv()).code).isEqualTo(VolumeFileCommands.OUTSIDE_FIRST);
    assertThat(run(VolumeFileCommands.move("/f", "/out/new/f")).code).isEqualTo(VolumeFileCommands.OUTSIDE_SECOND);
    assertThat(run(VolumeFileCommands.write("/f/x", VolumeFileCommands.temporary("/f/x", "u"),
        "hi".getBytes(StandardCharsets.UTF_8)).get(0).argv()).code).isEqualTo(VolumeFileCommands.NOT_A_DIRECTORY);
    assertThat(Files.exists(tmp.resolve("x"))).isFalse();
    assertThat(Files.exists(tmp.resolve("new"))).isFalse();
  }

  @Test
  void moveRenamesAndCreatesParents() throws Exception {
    Files.writeString(volume.resolve("f"), "abc");
    assertThat(run(VolumeFileCommands.move("/f", "/x/y/g")).code).isZero();
    assertThat(Files.readString(volume.resolve("x/y/g"))).isEqualTo("abc");
    assertThat(Files.exists(volume.resolve("f"))).isFalse();
  }

  private record Result(int code, String out, String err) {}

  private Result run(List<String> argv) throws Exception {
    return run(argv, null, false);
  }

  /**
   * Runs {@code argv} with the helper's mount point replaced by the temporary volume, writing
   * {@code stdin} to it. Stdin stays open, as over the exec websocket, unless {@code close}.
   */
  private Result run(List<String> argv, byte[] stdin, boolean close) throws Exception {
    String root = volume.toString();
    List<String> local = new ArrayList<>();
    for (String arg : argv) {
      local.add(arg.equals(VolumeFileCommands.SCRIPT) ? arg.replace("v=/volume", "v=" + root)
          : arg.startsWith(VolumeFileCommands.MOUNT) ? root + arg.substring(VolumeFileCommands.MOUNT.length())
          : arg);
    }
    local.set(0, bin.resolve("sh").toString());
    ProcessBuilder pb = new ProcessBuilder(local);
    pb.environment().clear();
    pb.environment().put("PATH", bin.toString());
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin);
      p.getOutputStream().flush();
    }
    if (stdin == null || close) {
      p.getOutputStream().close();
    }
    var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    p.getOutputStream().close();
    return new Result(p.exitValue(), out, err.get());
  }

  private static Path findBusybox() {
    for (String dir : System.getenv("PATH").split(":")) {
      Path candidate = Path.of(dir, "busybox");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("busybox is not on the PATH: install the busybox-static package; "
        + "these tests run the volume helper's script with the same busybox as the helper image");
  }
}
