package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An exec to a sandbox whose agent does not answer: the caller gets the typed error once the
 * retries are spent, and the running sandbox's status says why (reason {@code AgentUnavailable}
 * with the failure) until an exec gets through again.
 */
class AgentUnavailableTest {
  final ScriptedRuntime runtime = new ScriptedRuntime().reattaching(true).failExecsWith(new PlatformException(
      SandboxErrors.AGENT_UNAVAILABLE, true, "cannot start exec on the sandbox's agent at "
          + "http://10.1.2.3:7431: it does not answer", null));
  TestWorkflowEnvironment env;
  SandboxClient sandboxes;

  @BeforeEach
  void start() {
    env = ScriptedEnvironment.start(runtime);
    sandboxes = new SandboxClient(env.getWorkflowClient(), TaskQueues.DEFAULT);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void anExecToAnAgentThatDoesNotAnswerIsTypedAndTheSandboxSaysWhyUntilAnExecGetsThrough() {
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name("agent-down").build());
    assertThat(sandboxes.awaitRunning(name, Duration.ofSeconds(20)).phase()).isEqualTo(SandboxPhase.RUNNING);

    assertThatThrownBy(() -> sandboxes.exec(name, ExecRequest.of("echo", "hi")))
        .isInstanceOfSatisfying(SandboxException.class,
            e -> assertThat(e.type()).isEqualTo(SandboxErrors.AGENT_UNAVAILABLE))
        .hasMessageContaining("does not answer");
    SandboxStatus down = sandboxes.describe(name);
    assertThat(down.phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(down.reason()).isEqualTo(SandboxReason.AGENT_UNAVAILABLE.wireName());
    assertThat(down.message()).contains("agent", "10.1.2.3:7431", "does not answer");

    runtime.failExecsWith(null);
    assertThat(sandboxes.exec(name, ExecRequest.of("echo", "back")).stdout()).isEqualTo("back\n");
    SandboxStatus back = sandboxes.describe(name);
    assertThat(back.phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(back.reason()).isNull();
    assertThat(back.message()).isNull();
    assertThat(sandboxes.terminate(name, null).phase()).isEqualTo(SandboxPhase.TERMINATED);
  }
}
