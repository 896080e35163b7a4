package dev.sandboxes.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The capture both runtimes keep exec output in: as the exec websocket's sink on Kubernetes
 * (writes) and as the reader of a process's pipe locally ({@link BoundedCapture#drain}).
 */
class BoundedCaptureTest {

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void keepsWhatFitsAndIsNotTruncatedAtExactlyTheCap() {
    BoundedCapture capture = new BoundedCapture(5);
    capture.write(bytes("hel"), 0, 3);
    capture.write(bytes("lo"), 0, 2);
    assertThat(capture.text()).isEqualTo("hello");
    assertThat(capture.truncated()).isFalse();
  }

  @Test
  void anArrayWritePastTheCapKeepsTheBeginningAndFlagsTruncation() {
    BoundedCapture capture = new BoundedCapture(4);
    capture.write(bytes("hello world"), 0, 11);
    capture.write(bytes("more"), 0, 4);
    assertThat(capture.text()).isEqualTo("hell");
    assertThat(capture.truncated()).isTrue();
  }

  @Test
  void aSingleByteWritePastTheCapFlagsTruncation() {
    BoundedCapture capture = new BoundedCapture(2);
    capture.write('a');
    capture.write('b');
    assertThat(capture.truncated()).isFalse();
    capture.write('c');
    assertThat(capture.text()).isEqualTo("ab");
    assertThat(capture.truncated()).isTrue();
  }

  @Test
  void writesHonourTheOffsetAndLength() {
    BoundedCapture capture = new BoundedCapture(10);
    capture.write(bytes("xxabcxx"), 2, 3);
    assertThat(capture.text()).isEqualTo("abc");
  }

  @Test
  void aCapOfZeroKeepsNothingButStillFlagsOutput() {
    BoundedCapture capture = new BoundedCapture(0);
    assertThat(capture.truncated()).isFalse();
    capture.write(bytes("x"), 0, 1);
    assertThat(capture.text()).isEmpty();
    assertThat(capture.truncated()).isTrue();
  }

  @Test
  void aCharacterCutAtTheCapDecodesAsTheReplacementCharacter() {
    BoundedCapture capture = new BoundedCapture(2);
    capture.write(bytes("aü"), 0, 3);
    assertThat(capture.text()).isEqualTo("a\uFFFD");
    assertThat(capture.truncated()).isTrue();
  }

  @Test
  void drainReadsTheStreamToItsEndPastTheCapAndClosesIt() {
    byte[] output = new byte[100_000];
    Arrays.fill(output, (byte) 'x');
    AtomicBoolean closed = new AtomicBoolean();
    ByteArrayInputStream pipe = new ByteArrayInputStream(output) {
      @Override
      public void close() {
        closed.set(true);
      }
    };
    BoundedCapture capture = new BoundedCapture(10);
    capture.drain(pipe);
    assertThat(pipe.available()).as("nothing left unread, so no writer blocks").isZero();
    assertThat(closed).isTrue();
    assertThat(capture.text()).isEqualTo("x".repeat(10));
    assertThat(capture.truncated()).isTrue();
  }

  @Test
  void aStreamClosedUnderTheDrainLeavesWhatWasReadSoFar() {
    InputStream abandoned = new InputStream() {
      private int sent;

      @Override
      public int read() throws IOException {
        if (sent < 3) {
          return "abc".charAt(sent++);
        }
        throw new IOException("Stream closed");
      }
    };
    BoundedCapture capture = new BoundedCapture(10);
    capture.drain(abandoned);
    assertThat(capture.text()).isEqualTo("abc");
    assertThat(capture.truncated()).isFalse();
  }
}
