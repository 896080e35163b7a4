package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.activity.SandboxActivitiesImpl;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.runtime.ScriptedRuntime;
import dev.sandboxes.workflow.internal.SandboxWorkflowImpl;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An exec whose worker dies: its activity stops heartbeating, and the caller learns within the
 * exec heartbeat timeout that the command's outcome is unknown, instead of waiting out the
 * command's own timeout. The sandbox stays usable.
 */
class LostExecTest {
  ScriptedRuntime runtime;
  TestWorkflowEnvironment env;
  SandboxClient sandboxes;
  final CountDownLatch release = new CountDownLatch(1);

  /** The real activities, except that exec hangs without a heartbeat, as on a dead worker. */
  final class DeadWorkerExec extends SandboxActivitiesImpl {
    DeadWorkerExec() {
      super(runtime);
    }

    @Override
    public ExecResult exec(String name, ExecRequest request) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("this worker was declared dead");
    }
  }

  @BeforeEach
  void start() {
    runtime = new ScriptedRuntime();
    env = TestWorkflowEnvironment.newInstance();
    SearchAttributeKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
    var worker = env.newWorker(TaskQueues.DEFAULT);
    worker.registerWorkflowImplementationTypes(SandboxWorkflowImpl.class);
    worker.registerActivitiesImplementations(new DeadWorkerExec());
    env.start();
    sandboxes = new SandboxClient(env.getWorkflowClient(), TaskQueues.DEFAULT);
  }

  @AfterEach
  void stop() {
    release.countDown();
    env.close();
  }

  @Test
  void anExecWhoseWorkerDiedFailsWithOutcomeUnknownWithinTheHeartbeatTimeout() {
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name("lost-exec").build());
    assertThat(sandboxes.awaitRunning(name, Duration.ofSeconds(20)).phase()).isEqualTo(SandboxPhase.RUNNING);
    Instant sent = Instant.now();

    assertThatThrownBy(() -> sandboxes.exec(name, ExecRequest.of("sleep", "600").withTimeout(Duration.ofHours(1))))
        .isInstanceOfSatisfying(SandboxException.class,
            e -> assertThat(e.type()).isEqualTo(SandboxErrors.EXEC_OUTCOME_UNKNOWN))
        .hasMessageContaining("outcome is unknown");

    assertThat(Duration.between(sent, Instant.now())).isLessThan(Duration.ofSeconds(45));
    assertThat(sandboxes.describe(name).phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(sandboxes.terminate(name, null).phase()).isEqualTo(SandboxPhase.TERMINATED);
  }
}
