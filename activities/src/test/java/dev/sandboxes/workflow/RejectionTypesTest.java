package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactoryOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a caller in another language reads when an update validator refuses: the documented
 * error type ({@code InvalidSandboxSpec}, {@code SandboxNotRunning}), the same name a handler's or
 * a workflow's failure carries, when the plugin is registered on the client (its data converter
 * writes them); the Java class name when it is registered on the worker factory only. The Java
 * clients read both.
 */
class RejectionTypesTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  static SandboxSpec spec(String name) {
    return SandboxSpec.builder("busybox:1.36").name(name).command("sleep", "60").build();
  }

  /** The application failure a raw (untyped) update call was refused with. */
  static ApplicationFailure rejection(WorkflowClient client, String workflowId, String update, Object... args) {
    Throwable refused = catchThrowable(() -> client.newUntypedWorkflowStub(workflowId).update(update, Object.class, args));
    for (Throwable t = refused; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure app) {
        return app;
      }
    }
    throw new AssertionError("no application failure in " + refused, refused);
  }

  /** The type of {@link #rejection}'s failure. */
  static String rejectionType(WorkflowClient client, String workflowId, String update, Object... args) {
    return rejection(client, workflowId, update, args).getType();
  }

  @Test
  void withThePluginOnTheClientValidatorsRefuseWithTheDocumentedTypes() {
    ScriptedRuntime runtime = new ScriptedRuntime();
    try (TestWorkflowEnvironment env = ScriptedEnvironment.start(runtime)) {
      WorkflowClient client = env.getWorkflowClient();
      SandboxClient sandboxes = new SandboxClient(client, TaskQueues.DEFAULT);
      String running = sandboxes.start(spec("typed"));
      assertThat(sandboxes.awaitRunning(running, WAIT).phase()).isEqualTo(SandboxPhase.RUNNING);
      String id = WorkflowIds.sandboxWorkflowId(running);
      assertThat(rejectionType(client, id, "exec", new ExecRequest(List.of(), null, null, null, null, null)))
          .isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(rejectionType(client, id, "logs", new dev.sandboxes.model.LogRequest(-1, null)))
          .isEqualTo(SandboxErrors.INVALID_SPEC);

      runtime.rejectForQuota(Integer.MAX_VALUE); // stays queued: exec is refused for its phase
      String queued = sandboxes.start(spec("queued"));
      assertThat(rejectionType(client, WorkflowIds.sandboxWorkflowId(queued), "exec", ExecRequest.of("true")))
          .isEqualTo(SandboxErrors.NOT_RUNNING);
      // the Java client reads the same rejection as its typed exception
      assertThat(catchThrowable(() -> sandboxes.exec(queued, ExecRequest.of("true"))))
          .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.type()).isEqualTo(SandboxErrors.NOT_RUNNING));

      VolumeClient volumes = new VolumeClient(client, TaskQueues.DEFAULT);
      volumes.create("files", VolumeSpec.defaults());
      volumes.awaitReady("files", WAIT);
      assertThat(rejectionType(client, WorkflowIds.volumeWorkflowId("files"), "listFiles", "relative"))
          .isEqualTo(SandboxErrors.INVALID_SPEC);
      sandboxes.terminate(running, null);
      sandboxes.terminate(queued, null);
    }
  }

  @Test
  void withThePluginOnTheWorkerFactoryOnlyTheClassNameArrivesAndTheJavaClientStillReadsIt() {
    ScriptedRuntime runtime = new ScriptedRuntime();
    runtime.rejectForQuota(Integer.MAX_VALUE);
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder().setPlugins(SandboxPlugin.forRuntime(runtime)).build())
        .build())) {
      SearchAttributeKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
      env.newWorker(TaskQueues.DEFAULT);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      SandboxClient sandboxes = new SandboxClient(client, TaskQueues.DEFAULT);
      String queued = sandboxes.start(spec("queued"));
      assertThat(rejectionType(client, WorkflowIds.sandboxWorkflowId(queued), "exec", ExecRequest.of("true")))
          .isEqualTo(SandboxNotRunningException.class.getName());
      assertThat(catchThrowable(() -> sandboxes.exec(queued, ExecRequest.of("true"))))
          .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.type()).isEqualTo(SandboxErrors.NOT_RUNNING));
      sandboxes.terminate(queued, null);
    }
  }
}
