package dev.sandboxes.runtime.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.runtime.PlatformException;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's agent client against the real agent binary, on loopback. */
class AgentGatewayTest {
  private static final int CAP = 1024 * 1024;
  private static final AgentGateway GATEWAY = new AgentGateway(Duration.ofSeconds(2), Duration.ofSeconds(10));

  @TempDir Path dir;
  private AgentProcess agent;

  @BeforeEach
  void startAgent() throws Exception {
    agent = AgentProcess.start(dir);
  }

  @AfterEach
  void stopAgent() throws Exception {
    agent.close();
  }

  @AfterAll
  static void closeGateway() {
    GATEWAY.close();
  }

  private ExecResult exec(String id, ExecRequest request) throws InterruptedException {
    return AgentExec.run(GATEWAY, agent.endpoint, id, request, CAP, null);
  }

  @Test
  void anExecReturnsBothStreamsAndTheExitCode() throws Exception {
    ExecResult result = exec("e1", ExecRequest.of("sh", "-c", "echo out; echo err >&2; exit 3"));
    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr()).isEqualTo("err\n");
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.timedOut()).isFalse();
  }

  @Test
  void envWorkdirAndStdinApplyAndStdinEnds() throws Exception {
    ExecResult result = exec("e2", ExecRequest.of("sh", "-c", "echo $GREETING; pwd; cat")
        .withEnv("GREETING", "hi").withWorkdir(dir.toString()).withStdin("piped\n"));
    assertThat(result.stdout()).isEqualTo("hi\n" + dir + "\npiped\n");
    assertThat(result.exitCode()).isZero();
  }

  @Test
  void outputBeyondTheCapIsDrainedAndFlagged() throws Exception {
    ExecResult result = exec("big", ExecRequest.of("sh", "-c",
        "head -c 3000000 /dev/zero | tr '\\0' x; echo done >&2"));
    assertThat(result.stdout()).hasSize(CAP).matches("x+");
    assertThat(result.stdoutTruncated()).isTrue();
    assertThat(result.stderr()).isEqualTo("done\n");
    assertThat(result.stderrTruncated()).isFalse();
  }

  @Test
  void theSameExecIdAttachesToTheCommandInsteadOfRunningItAgain() throws Exception {
    Path lines = dir.resolve("lines");
    ExecRequest request = ExecRequest.of("sh", "-c", "echo line >> " + lines + "; echo ran");
    ExecResult first = exec("once", request);
    ExecResult retried = exec("once", request);
    assertThat(retried.stdout()).isEqualTo(first.stdout()).isEqualTo("ran\n");
    assertThat(Files.readString(lines)).isEqualTo("line\n");
  }

  @Test
  void aRetryAttachesToACommandStillRunningAndGetsItsWholeOutput() throws Exception {
    ExecRequest request = ExecRequest.of("sh", "-c", "echo before; sleep 1; echo after");
    assertThat(GATEWAY.start(agent.endpoint, "running", request).created()).isTrue();
    // as if the worker died here: a new attempt starts the same exec again
    assertThat(GATEWAY.start(agent.endpoint, "running", request).created()).isFalse();
    ExecResult result = exec("running", request);
    assertThat(result.stdout()).isEqualTo("before\nafter\n");
  }

  @Test
  void aReadFromTheEndSaysWhereTheEndIsAndTheNextReadGetsOnlyWhatCameAfter() throws Exception {
    GATEWAY.start(agent.endpoint, "tail", ExecRequest.of("sh", "-c", "echo early; sleep 1; echo late"));
    ExecOutputChunk first = GATEWAY.read(agent.endpoint, "tail", 0, Duration.ofSeconds(5), CAP);
    assertThat(first.pieces()).extracting(p -> new String(p.data(), StandardCharsets.UTF_8)).containsExactly("early\n");
    ExecOutputChunk end = GATEWAY.read(agent.endpoint, "tail", ExecOutputRequest.END, Duration.ZERO, CAP);
    assertThat(end.pieces()).isEmpty();
    assertThat(end.nextOffset()).as("the end, not -1").isEqualTo(first.nextOffset());
    StringBuilder after = new StringBuilder();
    ExecOutputChunk chunk = end;
    while (!chunk.ended()) {
      chunk = GATEWAY.read(agent.endpoint, "tail", chunk.nextOffset(), Duration.ofSeconds(5), CAP);
      chunk.pieces().forEach(p -> after.append(new String(p.data(), StandardCharsets.UTF_8)));
    }
    assertThat(after.toString()).isEqualTo("late\n");
    assertThat(chunk.exitCode()).isZero();
  }

  @Test
  void anotherCommandUnderAUsedIdIsRefused() throws Exception {
    exec("used", ExecRequest.of("true"));
    assertThatThrownBy(() -> exec("used", ExecRequest.of("false")))
        .isInstanceOfSatisfying(PlatformException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.EXEC_ID_IN_USE);
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("exec used already runs another command");
        });
  }

  @Test
  void aWrongTokenIsRefusedAndNotRetried() {
    AgentEndpoint wrong = new AgentEndpoint(agent.endpoint.base(), "not-the-token-0123456789");
    assertThatThrownBy(() -> AgentExec.run(GATEWAY, wrong, "x", ExecRequest.of("true"), CAP, null))
        .isInstanceOfSatisfying(PlatformException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.AGENT_REFUSED);
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("401", "Unauthorized");
        });
    assertThat(wrong.toString()).doesNotContain("not-the-token");
  }

  @Test
  void anAgentThatDoesNotAnswerIsUnavailableAndRetryable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    AgentEndpoint nobody = new AgentEndpoint(URI.create("http://127.0.0.1:" + port), AgentProcess.TOKEN);
    Instant started = Instant.now();
    assertThatThrownBy(() -> AgentExec.run(GATEWAY, nobody, "x", ExecRequest.of("true"), CAP, null))
        .isInstanceOfSatisfying(PlatformException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.AGENT_UNAVAILABLE);
          assertThat(e.retryable()).isTrue();
          assertThat(e.getMessage()).contains("does not answer");
        });
    assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aTimeoutKillsTheCommandAndReports124() throws Exception {
    ExecResult result = exec("slow", ExecRequest.of("sleep", "30").withTimeout(Duration.ofMillis(300)));
    assertThat(result.timedOut()).isTrue();
    assertThat(result.exitCode()).isEqualTo(ExecResult.TIMED_OUT_EXIT_CODE);
    assertThat(result.duration()).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void outputReachesTheLiveSinkWhileTheCommandRuns() throws Exception {
    Path gate = dir.resolve("gate");
    CountDownLatch firstLine = new CountDownLatch(1);
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    OutputSink live = new OutputSink() {
      @Override
      public synchronized void stdout(byte[] bytes, int offset, int length) {
        seen.write(bytes, offset, length);
        firstLine.countDown();
      }

      @Override
      public void stderr(byte[] bytes, int offset, int length) {}
    };
    // the command waits for a file this test writes only after the first line arrived
    ExecRequest request = ExecRequest.of("sh", "-c",
        "echo first; while [ ! -e " + gate + " ]; do sleep 0.05; done; echo second");
    CompletableFuture<ExecResult> result = CompletableFuture.supplyAsync(() -> {
      try {
        return AgentExec.run(GATEWAY, agent.endpoint, "live", request, CAP, live);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(firstLine.await(10, TimeUnit.SECONDS)).as("first line before the command ended").isTrue();
    assertThat(result).isNotDone();
    Files.writeString(gate, "");
    assertThat(result.get(10, TimeUnit.SECONDS).stdout()).isEqualTo("first\nsecond\n");
    synchronized (live) {
      assertThat(seen.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");
    }
  }

  @Test
  void theMainCommandsOutputCanBeFollowedToItsEnd() throws Exception {
    try (AgentProcess running = AgentProcess.start(Files.createDirectory(dir.resolve("main")),
        "sh", "-c", "echo hello; sleep 0.3; echo bye >&2; exit 4")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      AgentGateway.Followed followed = GATEWAY.followMain(running.endpoint, 0, new OutputSink() {
        @Override
        public void stdout(byte[] bytes, int offset, int length) {
          out.write(bytes, offset, length);
        }

        @Override
        public void stderr(byte[] bytes, int offset, int length) {
          err.write(bytes, offset, length);
        }
      }, Instant.now().plusSeconds(10));
      assertThat(followed.exit().exitCode()).isEqualTo(4);
      assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello\n");
      assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("bye\n");
      assertThat(running.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(running.process().exitValue()).isEqualTo(4);
      assertThat(Files.readString(running.stdout)).isEqualTo("hello\n");
      assertThat(Files.readString(running.stderr)).isEqualTo("bye\n");
    }
  }

  @Test
  void aPoolPodsAgentRunsTheClaimingSandboxsCommandOnceAndRefusesAnotherSandbox() throws Exception {
    agent.close();
    try (AgentProcess pooled = AgentProcess.startPooled(Files.createDirectories(dir.resolve("pooled")))) {
      assertThatThrownBy(() -> AgentExec.run(GATEWAY, pooled.endpoint, "early", ExecRequest.of("true"), CAP, null))
          .isInstanceOfSatisfying(PlatformException.class, e -> assertThat(e.getMessage()).contains("NotClaimed"));

      assertThat(GATEWAY.claim(pooled.endpoint, "s1", List.of("sh", "-c", "echo $A; sleep 600"), Map.of("A", "1"), "/"))
          .as("the first claim").isTrue();
      assertThat(GATEWAY.claim(pooled.endpoint, "s1", List.of("sh", "-c", "echo $A; sleep 600"), Map.of("A", "1"), "/"))
          .as("the same claim, retried").isFalse();
      assertThatThrownBy(() -> GATEWAY.claim(pooled.endpoint, "s2", List.of(), Map.of(), null))
          .isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.type()).isEqualTo(SandboxErrors.AGENT_REFUSED);
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("AlreadyClaimed", "s1");
          });
      ExecResult after = AgentExec.run(GATEWAY, pooled.endpoint, "after", ExecRequest.of("sh", "-c", "echo $A"), CAP, null);
      assertThat(after.stdout()).isEqualTo("1\n");
      assertThat(GATEWAY.read(pooled.endpoint, "main", 0, Duration.ofSeconds(5), CAP).pieces())
          .extracting(p -> new String(p.data(), java.nio.charset.StandardCharsets.UTF_8)).containsExactly("1\n");
    }
  }
}
