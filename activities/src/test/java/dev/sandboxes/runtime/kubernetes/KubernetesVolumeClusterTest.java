package dev.sandboxes.runtime.kubernetes;


import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.runtime.RetriedLikeActivities;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.VolumeContract;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The volume contract against a real cluster (the rig in deploy/rig): claims that bind, data
 * moved by real sandboxes and by volume helper pods. Runs only in the {@code e2e} profile, and
 * there it fails, never skips, when the rig is not reachable. Same properties as
 * {@link KubernetesRuntimeClusterTest}. The contract's file calls go through
 * {@link RetriedLikeActivities}, as the volume workflow's activities retry them; the reads of
 * files larger than a read chunk here do not, so that an exec losing the end of its output (a
 * read failing with "WebSocket connection closed unexpectedly", one exec in about fifteen before
 * {@link KubernetesGateway#execToTheEnd}) fails them instead of hiding behind a retry.
 */
class KubernetesVolumeClusterTest extends VolumeContract {
  private static KubernetesRuntime runtime;
  /** The volume file calls retried as the activities retry them: the runtime alone never does. */
  private static SandboxRuntime retried;

  @BeforeAll
  static void connect() {
    runtime = KubernetesRuntimeClusterTest.connectToRig(
        KubernetesRuntimeClusterTest.options().defaultVolumeSize("16Mi"));
    retried = RetriedLikeActivities.wrap(runtime);
  }

  @AfterAll
  static void close() {
    if (runtime != null) {
      runtime.close();
    }
  }

  /** More cycles than the rig has PVs (12), so some claims must bind to recycled, scrubbed PVs. */
  @Override
  protected int reuseCycles() {
    return 15;
  }

  @Override
  protected SandboxRuntime runtime() {
    return retried;
  }

  /** Three chunks of the file API and a bit: a read that needs more than one chunk call. */
  private static final int BIG = 3 * VolumePaths.MAX_TRANSFER + 12_345;

  /**
   * A file larger than one read chunk, written by a sandbox that still mounts the volume (as in
   * the CLI's long read), is read back through the file API chunk by chunk, the way
   * {@code VolumeClient} copies a file, and arrives byte for byte, with no attempt failing: three
   * times over, 36 read execs of about 350 KB of output each.
   */
  @Test
  void aFileOfSeveralChunksWrittenByASandboxIsReadBackIntact() throws Exception {
    String volume = readyVolume("large");
    String writer = sandboxWith(volume);
    // not /dev/zero: base64 of random bytes has no pattern that could hide a shifted chunk
    String sum = sh(writer, "head -c " + BIG + " /dev/urandom > /data/big && sha256sum /data/big")
        .stdout().split(" ")[0];
    for (int time = 0; time < 3; time++) {
      byte[] read = readWhole(volume, "/big");
      assertThat(read.length).isEqualTo(BIG);
      assertThat(sha256(read)).isEqualTo(sum);
    }
  }

  /**
   * Over 3 MiB put together from chunks written through the file API, then read back through it:
   * what the API writes and what it reads agree across chunk boundaries.
   */
  @Test
  void chunksWrittenThroughTheApiAreReadBackWholeAsOneLargeFile() throws Exception {
    String volume = readyVolume("joined");
    Random random = new Random(7);
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    for (int part = 0; part < 4; part++) {
      byte[] data = new byte[part < 3 ? VolumePaths.MAX_TRANSFER : 12_345];
      random.nextBytes(data);
      runtime().writeFile(volume, "/parts/" + part, data);
      whole.writeBytes(data);
    }
    String sandbox = sandboxWith(volume);
    String sum = sh(sandbox, "cat /data/parts/0 /data/parts/1 /data/parts/2 /data/parts/3 > /data/whole"
        + " && sha256sum /data/whole").stdout().split(" ")[0];
    assertThat(sum).isEqualTo(sha256(whole.toByteArray()));
    assertThat(readWhole(volume, "/whole")).isEqualTo(whole.toByteArray());
  }

  /**
   * The file at {@code path}, copied chunk by chunk as {@code VolumeClient.readFile} does, each
   * chunk read once (the runtime itself, not {@link #runtime()}'s retries).
   */
  private byte[] readWhole(String volume, String path) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Instant start = Instant.now();
    while (true) {
      FileChunk chunk = runtime.readFile(volume, path, out.size(), VolumePaths.MAX_TRANSFER);
      out.writeBytes(chunk.data());
      if (chunk.eof() || chunk.data().length == 0) {
        break;
      }
    }
    System.out.printf("read %d bytes of %s in %d ms%n", out.size(), path,
        Duration.between(start, Instant.now()).toMillis());
    return out.toByteArray();
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
