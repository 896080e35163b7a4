package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pieces of {@link KubernetesGateway#execToTheEnd} that do not need a cluster: the wrapper
 * script and the sink that notices the marker, however the websocket cuts the output into frames.
 * (The rig's {@code KubernetesVolumeClusterTest} shows that reads no longer lose their end.)
 */
class ExecToTheEndTest {
  private static final String MARKER = "<end-of-output 0123>";

  @Test
  void theMarkerIsSeenOnlyWhenTheOutputEndsWithIt() throws Exception {
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    KubernetesGateway.EndOfOutput sink = new KubernetesGateway.EndOfOutput(target, MARKER);
    sink.write("data <end-of-output 0123> more".getBytes(StandardCharsets.US_ASCII));
    assertThat(sink.future).isNotDone();
    sink.write("\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(sink.future).isNotDone();
    sink.write(MARKER.getBytes(StandardCharsets.US_ASCII));
    assertThat(sink.future).isDone();
    assertThat(target.toString(StandardCharsets.US_ASCII))
        .isEqualTo("data <end-of-output 0123> more\n" + MARKER);
  }

  @Test
  void aMarkerSplitAcrossFramesAndSingleBytesIsSeen() throws Exception {
    byte[] all = ("x".repeat(10_000) + MARKER).getBytes(StandardCharsets.US_ASCII);
    for (int cut : new int[] {1, 7, MARKER.length() - 1, MARKER.length(), 4096}) {
      KubernetesGateway.EndOfOutput sink =
          new KubernetesGateway.EndOfOutput(new ByteArrayOutputStream(), MARKER);
      for (int off = 0; off < all.length; off += cut) {
        int len = Math.min(cut, all.length - off);
        if (len == 1) {
          sink.write(all[off]);
        } else {
          // an offset into a larger array, as fabric8 hands frames over
          byte[] frame = new byte[len + 6];
          System.arraycopy(all, off, frame, 3, len);
          sink.write(frame, 3, len);
        }
        assertThat(sink.future.isDone()).as("cut %d at %d", cut, off).isEqualTo(off + len == all.length);
      }
    }
  }

  @Test
  void theWrapperPrintsTheMarkerAfterTheCommandAndExitsWithItsStatusAfterALine() throws Exception {
    // the script as the helper's busybox sh runs it, here on the host's sh
    Process p = new ProcessBuilder(List.of("sh", "-c", KubernetesGateway.UNTIL_READ, ".end.12ab",
        "sh", "-c", "printf 'out'; exit 3")).start();
    byte[] out = p.getInputStream().readNBytes(3 + ".end.12ab\n".length());
    assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("out.end.12ab\n");
    Thread.sleep(200);
    assertThat(p.isAlive()).as("waits for the line that says the output was read").isTrue();
    p.getOutputStream().write('\n');
    p.getOutputStream().flush();
    assertThat(p.waitFor()).isEqualTo(3);
  }

  @Test
  void aCommandThatReadsStdinFindsItEmptyAndEndsAtOnce() throws Exception {
    // the exec's stdin stays open for the line that ends the wrapper: the command must not get it
    Process p = new ProcessBuilder(List.of("sh", "-c", KubernetesGateway.UNTIL_READ, ".end.12ab", "cat"))
        .start();
    try {
      byte[] out = CompletableFuture.supplyAsync(() -> {
        try {
          return p.getInputStream().readNBytes(".end.12ab\n".length());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(10, TimeUnit.SECONDS);
      assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo(".end.12ab\n");
      p.getOutputStream().write('\n');
      p.getOutputStream().flush();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
