package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CLI tests against the end-to-end rig: its Temporal dev server and a worker on the
 * Kubernetes runtime ({@code -Dsandboxes.cli.address=HOST:PORT}, e2e profile only), whose
 * sandboxes run the in-sandbox agent; plus what only the agent offers.
 */
class SandboxCliClusterTest extends SandboxCliTest {

  /** Stdout that notes when each line arrived. */
  static final class TimedLines extends Writer {
    final List<Long> arrivals = new ArrayList<>();
    final StringBuilder text = new StringBuilder();

    @Override
    public synchronized void write(char[] chars, int off, int len) {
      long now = System.nanoTime();
      for (int i = off; i < off + len; i++) {
        text.append(chars[i]);
        if (chars[i] == '\n') {
          arrivals.add(now);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  @Test
  void execPrintsOutputAsTheCommandWritesIt() {
    String name = idle("exec-stream");
    TimedLines out = new TimedLines();
    StringWriter err = new StringWriter();
    long sent = System.nanoTime();
    int code = SandboxCommand.execute(new String[] {"exec", "--address", address, name, "--",
        "sh", "-c", "for i in 1 2 3; do echo $i; sleep 1; done"}, new PrintWriter(out, true), new PrintWriter(err));
    long ended = System.nanoTime();
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.text.toString()).isEqualTo("1\n2\n3\n");
    List<Double> seconds = out.arrivals.stream().map(t -> (t - sent) / 1e9).toList();
    System.out.printf("exec streaming: lines printed at %s s after the command was sent; the CLI returned at %.2f s%n",
        seconds, (ended - sent) / 1e9);
    // the lines are written a second apart: printed as they come, they arrive about a second
    // apart too; printed from the result, all three would arrive together at the end
    assertThat(seconds.get(1) - seconds.get(0)).as("seconds between lines 1 and 2").isBetween(0.5, 1.5);
    assertThat(seconds.get(2) - seconds.get(1)).as("seconds between lines 2 and 3").isBetween(0.5, 1.5);
    sandbox("terminate", name);
  }

  @Test
  void logsFollowPrintsTheCommandsLinesAsItWritesThemUntilItEnds() {
    String name = unique("follow-live");
    Run created = sandbox("create", "busybox:1.36", "--name", name, "--wait", "--",
        "sh", "-c", "sleep 3; for i in 1 2 3; do echo line $i; sleep 1; done");
    assertThat(created.code()).as(created.err()).isZero();
    TimedLines out = new TimedLines();
    StringWriter err = new StringWriter();
    long sent = System.nanoTime();
    int code = SandboxCommand.execute(new String[] {"logs", "--address", address, "--follow", name},
        new PrintWriter(out, true), new PrintWriter(err));
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.text.toString()).isEqualTo("line 1\nline 2\nline 3\n");
    List<Double> seconds = out.arrivals.stream().map(t -> (t - sent) / 1e9).toList();
    System.out.printf("logs --follow: lines printed at %s s after the command started following%n", seconds);
    // followed, each line comes about a second after the one before; asked for every 2 s, as
    // without the agent, two of them would come together or 2 s apart
    assertThat(seconds.get(1) - seconds.get(0)).as("seconds between lines 1 and 2").isBetween(0.5, 1.5);
    assertThat(seconds.get(2) - seconds.get(1)).as("seconds between lines 2 and 3").isBetween(0.5, 1.5);
  }

  @Test
  void aDetachedExecIsFollowedByItsIdAndEndsWithItsExitCode() {
    String name = idle("exec-detach");
    Run started = sandbox("exec", name, "--detach", "--", "sh", "-c", "echo one; sleep 1; echo two >&2; exit 5");
    assertThat(started.code()).as(started.err()).isZero();
    String execId = started.out().strip();
    assertThat(execId).matches("[A-Za-z0-9][A-Za-z0-9._-]*");
    Run attached = sandbox("attach", name, execId);
    assertThat(attached.code()).isEqualTo(5);
    assertThat(attached.out()).isEqualTo("one\n");
    assertThat(attached.err()).isEqualTo("two\n");
    // again, later, from any client: the agent keeps the exec
    assertThat(sandbox("attach", name, execId).out()).isEqualTo("one\n");
    assertUsage(sandbox("attach", name, "bad/id"), "execId");
    sandbox("terminate", name);
  }
}
