package dev.sandboxes.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.ExecResult;
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
  void aCharacterCutAtTheCapIsLeftOut() {
    BoundedCapture capture = new BoundedCapture(3);
    capture.write(bytes("abü"), 0, 4);
    // "ab" and the first byte of ü, which decodes as U+FFFD: three bytes more than the cap leaves
    assertThat(capture.text()).isEqualTo("ab");
    assertThat(capture.truncated()).isTrue();
  }

  @Test
  void aResultWithBothStreamsFullOfBinaryStaysUnderTemporalsPayloadLimit() throws Exception {
    int cap = 4 * 1024 * 1024;
    BoundedCapture out = new BoundedCapture(cap);
    BoundedCapture err = new BoundedCapture(cap);
    out.write(new byte[3_000_000], 0, 3_000_000);
    err.write(bytes("plain text\n".repeat(200_000)), 0, 2_200_000);
    ExecResult result = BoundedCapture.result(0, out, err, false, java.time.Duration.ofSeconds(1));
    byte[] json = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules().writeValueAsBytes(result);
    assertThat(json.length).isLessThanOrEqualTo(2 * 1024 * 1024);
    assertThat(result.stdoutTruncated()).isTrue();
    assertThat(result.stderrTruncated()).isTrue();
    assertThat(result.stdout()).isNotEmpty();
    assertThat(result.stderr()).as("the rest of the budget").isNotEmpty();
    BoundedCapture small = new BoundedCapture(1024);
    small.write(bytes("ok\n"), 0, 3);
    assertThat(BoundedCapture.result(0, small, new BoundedCapture(1024), false, java.time.Duration.ZERO))
        .satisfies(r -> {
          assertThat(r.stdout()).isEqualTo("ok\n");
          assertThat(r.stdoutTruncated()).isFalse();
          assertThat(r.stderr()).isEmpty();
          assertThat(r.stderrTruncated()).isFalse();
        });
  }

  @Test
  void theTextFitsTheCapAsJsonSoThatAResultNeverOutgrowsItsPayloadLimit() throws Exception {
    BoundedCapture zeros = new BoundedCapture(60);
    zeros.write(new byte[60], 0, 60);
    // a NUL takes six bytes in JSON (\u0000): ten of them fill the cap
    assertThat(zeros.text()).hasSize(10);
    assertThat(zeros.truncated()).isTrue();
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(zeros.text()))
        .hasSize(60 + 2);
    BoundedCapture text = new BoundedCapture(13);
    text.write(bytes("a\"b\\c\nd\te"), 0, 9);
    assertThat(text.text()).isEqualTo("a\"b\\c\nd\te");
    assertThat(text.truncated()).as("exactly the cap as JSON").isFalse();
    BoundedCapture tight = new BoundedCapture(12);
    tight.write(bytes("a\"b\\c\nd\te"), 0, 9);
    assertThat(tight.text()).isEqualTo("a\"b\\c\nd\t");
    assertThat(tight.truncated()).isTrue();
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
