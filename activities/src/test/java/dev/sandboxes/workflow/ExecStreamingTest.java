package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.OutputPiece;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client streaming an exec's output: the exec's ID is its update's, the output is read by short
 * exec-output workflows (never through the sandbox workflow's history) while the exec update
 * runs, and a sandbox that keeps no exec output hands it over with the result. A workflow author
 * streams through the handle.
 */
class ExecStreamingTest {
  /** A workflow author's use: an exec whose output pieces it collects as they come. */
  @io.temporal.workflow.WorkflowInterface
  public interface StreamingAuthor {
    @io.temporal.workflow.WorkflowMethod
    List<String> run(String name);
  }

  public static class StreamingAuthorImpl implements StreamingAuthor {
    @Override
    public List<String> run(String name) {
      List<String> pieces = new java.util.ArrayList<>();
      try (Sandbox box = Sandboxes.start(SandboxSpec.builder("busybox:1.36").name(name).build())) {
        ExecResult result = box.exec(ExecRequest.of("echo", "from", "the", "author"),
            piece -> pieces.add(piece.stream() + ":" + new String(piece.data(), StandardCharsets.UTF_8)));
        pieces.add("exit " + result.exitCode());
      }
      return pieces;
    }
  }

  ScriptedRuntime runtime;
  TestWorkflowEnvironment env;
  SandboxClient sandboxes;

  @BeforeEach
  void start() {
    runtime = new ScriptedRuntime();
    env = ScriptedEnvironment.start(runtime, StreamingAuthorImpl.class);
    sandboxes = new SandboxClient(env.getWorkflowClient(), TaskQueues.DEFAULT);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private String running(String name) {
    sandboxes.start(SandboxSpec.builder("busybox:1.36").name(name).build());
    sandboxes.awaitRunning(name, Duration.ofSeconds(20));
    return name;
  }

  private static String text(List<OutputPiece> pieces, OutputPiece.Stream stream) {
    StringBuilder b = new StringBuilder();
    pieces.stream().filter(p -> p.stream() == stream)
        .forEach(p -> b.append(new String(p.data(), StandardCharsets.UTF_8)));
    return b.toString();
  }

  @Test
  void theOutputIsHandedOverAsItIsReadAndTheResultFollows() {
    runtime.reattaching(true);
    String name = running("streamed");
    List<OutputPiece> seen = new CopyOnWriteArrayList<>();

    ExecResult result = sandboxes.exec(name, ExecRequest.of("echo", "streamed", "out"), seen::add);

    assertThat(text(seen, OutputPiece.Stream.STDOUT)).isEqualTo("streamed out\n");
    assertThat(result.stdout()).isEqualTo("streamed out\n");
    assertThat(runtime.execIds).singleElement().isNotNull();
    // nothing of the output went through the sandbox's own history but the exec's result
    long pieces = env.getWorkflowClient().fetchHistory(
        dev.sandboxes.model.WorkflowIds.sandboxWorkflowId(name)).getEvents().stream()
        .filter(e -> e.hasActivityTaskScheduledEventAttributes()
            && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("SandboxExecOutput"))
        .count();
    assertThat(pieces).as("execOutput activities in the sandbox's history").isZero();
    // the exec can be read again by its ID, from any offset
    ExecOutputChunk again = sandboxes.execOutput(name, new ExecOutputRequest(runtime.execIds.get(0), 0, Duration.ZERO));
    assertThat(again.ended()).isTrue();
    assertThat(again.exitCode()).isZero();
    assertThat(text(again.pieces(), OutputPiece.Stream.STDOUT)).isEqualTo("streamed out\n");
    sandboxes.terminate(name, null);
  }

  @Test
  void aSandboxThatKeepsNoExecOutputHandsItOverWithTheResult() {
    String name = running("unstreamed");
    List<OutputPiece> seen = new CopyOnWriteArrayList<>();

    ExecResult result = sandboxes.exec(name, ExecRequest.of("echo", "at the end"), seen::add);

    assertThat(result.stdout()).isEqualTo("at the end\n");
    assertThat(text(seen, OutputPiece.Stream.STDOUT)).isEqualTo("at the end\n");
    // an answer, not a failed workflow: every exec of a sandbox without the agent asks it
    assertThat(sandboxes.execOutput(name, new ExecOutputRequest(runtime.execIds.get(0), 0, Duration.ZERO))
        .unavailable()).isTrue();
    sandboxes.terminate(name, null);
  }

  @Test
  void aWorkflowAuthorGetsThePiecesThroughItsHandle() {
    runtime.reattaching(true);
    List<String> pieces = env.getWorkflowClient().newWorkflowStub(StreamingAuthor.class,
        io.temporal.client.WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.DEFAULT).build()).run("author-streamed");
    assertThat(pieces).containsExactly("STDOUT:from the author\n", "STDERR:", "exit 0");
  }

  @Test
  void aWorkflowAuthorWithoutTheAgentGetsThePiecesFromTheResult() {
    List<String> pieces = env.getWorkflowClient().newWorkflowStub(StreamingAuthor.class,
        io.temporal.client.WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.DEFAULT).build()).run("author-unstreamed");
    assertThat(pieces).containsExactly("STDOUT:from the author\n", "STDERR:", "exit 0");
  }

  @Test
  void anExecThatFailsBeforeItRunsEndsTheStreamWithItsOwnTypedFailure() {
    runtime.reattaching(true).failExecsWith(new dev.sandboxes.runtime.PlatformException(
        SandboxErrors.EXEC_ID_IN_USE, false, "exec taken already runs another command", null));
    String name = running("stream-refused");
    List<OutputPiece> pieces = new java.util.ArrayList<>();
    Instant sent = Instant.now();
    assertThatThrownBy(() -> sandboxes.exec(name, ExecRequest.of("echo", "x").withId("taken"), pieces::add))
        .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.type()).isEqualTo(SandboxErrors.EXEC_ID_IN_USE));
    assertThat(pieces).isEmpty();
    assertThat(Duration.between(sent, Instant.now())).as("not a read's whole wait").isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void aBadReadIsRefusedNamingTheField() {
    String name = running("bad-read");
    try {
      sandboxes.execOutput(name, new ExecOutputRequest("-no", -2, Duration.ofMinutes(5)));
      throw new AssertionError("a bad read was accepted");
    } catch (SandboxException e) {
      assertThat(e.type()).isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(e.getMessage()).contains("execId", "offset", "maxWait");
    }
    sandboxes.terminate(name, null);
  }
}
