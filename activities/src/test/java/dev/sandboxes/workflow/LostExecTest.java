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
 * An exec whose worker dies: its activity stops heartbeating and is retried under the same exec
 * ID. Where the sandbox keeps its execs (the in-sandbox agent), the retry re-attaches and the
 * caller gets the command's result; where it cannot, the caller learns within the exec
 * heartbeat timeout that the command's outcome is unknown, instead of waiting out the command's
 * own timeout. The sandbox stays usable either way.
 */
class LostExecTest {
  ScriptedRuntime runtime;
  TestWorkflowEnvironment env;
  SandboxClient sandboxes;
  final CountDownLatch release = new CountDownLatch(1);

  /** The first attempt runs, on a worker that lives, but its heartbeats do not reach the server in time. */
  volatile boolean lateHeartbeats;

  /** IDs the first (lost) attempts were given. */
  final java.util.List<String> lostIds = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * The real activities, except that the first attempt of an exec hangs without a heartbeat, as
   * on a worker that died; later attempts run as on a healthy worker.
   */
  final class DeadWorkerExec extends SandboxActivitiesImpl {
    DeadWorkerExec() {
      super(runtime);
    }

    /** The first attempt sends no heartbeat while it runs, as on a live worker whose heartbeats came late. */
    @Override
    protected Duration execHeartbeatEvery(int attempt) {
      return lateHeartbeats && attempt == 1 ? Duration.ofHours(1) : super.execHeartbeatEvery(attempt);
    }

    @Override
    public ExecResult exec(String name, ExecRequest request) {
      if (lateHeartbeats || io.temporal.activity.Activity.getExecutionContext().getInfo().getAttempt() > 1) {
        return super.exec(name, request);
      }
      lostIds.add(String.valueOf(request.id()));
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
    assertThat(runtime.execIds).as("the command never ran again").isEmpty();
    assertThat(sandboxes.describe(name).phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(sandboxes.terminate(name, null).phase()).isEqualTo(SandboxPhase.TERMINATED);
  }

  @Test
  void anExecWhoseWorkerDiedReattachesWhereTheSandboxKeepsItsExecs() {
    runtime.reattaching(true);
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name("reattached-exec").build());
    assertThat(sandboxes.awaitRunning(name, Duration.ofSeconds(20)).phase()).isEqualTo(SandboxPhase.RUNNING);

    ExecResult result = sandboxes.exec(name, ExecRequest.of("echo", "survived").withTimeout(Duration.ofHours(1)));

    assertThat(result.stdout()).isEqualTo("survived\n");
    assertThat(lostIds).singleElement().isNotEqualTo("null");
    assertThat(runtime.execIds).as("the retry carried the lost attempt's exec ID").containsExactlyElementsOf(lostIds);
    assertThat(sandboxes.terminate(name, null).phase()).isEqualTo(SandboxPhase.TERMINATED);
  }

  @Test
  void aRetryOnTheWorkerStillRunningTheExecJoinsItInsteadOfCallingTheOutcomeUnknown() throws Exception {
    lateHeartbeats = true;
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name("late-heartbeats").build());
    assertThat(sandboxes.awaitRunning(name, Duration.ofSeconds(20)).phase()).isEqualTo(SandboxPhase.RUNNING);
    // past the 20 s exec heartbeat timeout: the server retries the exec while the first attempt runs
    runtime.delayExecs(Duration.ofSeconds(24));
    Instant sent = Instant.now();

    ExecResult result = sandboxes.exec(name, ExecRequest.of("echo", "joined"));

    assertThat(result.stdout()).isEqualTo("joined\n");
    assertThat(Duration.between(sent, Instant.now())).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(40));
    assertThat(runtime.execIds).as("the command ran once").hasSize(1);
    var events = env.getWorkflowClient().fetchHistory(dev.sandboxes.model.WorkflowIds.sandboxWorkflowId(name)).getHistory().getEventsList();
    java.util.Set<Long> execs = events.stream().filter(e -> e.hasActivityTaskScheduledEventAttributes()
            && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("SandboxExec"))
        .map(e -> e.getEventId()).collect(java.util.stream.Collectors.toSet());
    assertThat(events.stream().filter(e -> e.hasActivityTaskStartedEventAttributes()
            && execs.contains(e.getActivityTaskStartedEventAttributes().getScheduledEventId()))
        .map(e -> e.getActivityTaskStartedEventAttributes().getAttempt()))
        .as("the exec's attempts: the server gave up on the first").containsExactly(2);
    runtime.delayExecs(Duration.ZERO);
    assertThat(sandboxes.terminate(name, null).phase()).isEqualTo(SandboxPhase.TERMINATED);
  }

  @Test
  void anExecKeepsTheIdItsCallerGave() {
    runtime.reattaching(true);
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name("given-id").build());
    sandboxes.awaitRunning(name, Duration.ofSeconds(20));

    sandboxes.exec(name, ExecRequest.of("echo", "x").withId("my-exec-1"));

    assertThat(lostIds).containsExactly("my-exec-1");
    assertThat(runtime.execIds).containsExactly("my-exec-1");
    sandboxes.terminate(name, null);
  }
}
