package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumeStatus;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A caller in another language that misspells a field ({@code cmd} for {@code command}) is told
 * so, with the plugin on the client: the sandbox, volume and batch workflows fail at their start
 * as {@code InvalidSandboxSpec} naming the field's path, and the {@code exec} and {@code logs}
 * validators refuse with that type. The inputs are sent as maps, as JSON from another SDK
 * would be, so that the unknown fields reach the worker.
 */
class UnknownFieldsTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** Starts workflow {@code type} as {@code workflowId} with {@code input} (a map: its fields are sent as they are). */
  static WorkflowStub start(WorkflowClient client, String type, String workflowId, Object input) {
    WorkflowStub stub = client.newUntypedWorkflowStub(type,
        WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(TaskQueues.DEFAULT).build());
    stub.start(input);
    return stub;
  }

  /** The application failure a workflow ended with. */
  static ApplicationFailure failureOf(WorkflowStub stub, Class<?> resultType) {
    // bounded: a start whose unknown fields went unnoticed may never end (an idle sandbox)
    Throwable failed = catchThrowable(() -> stub.getResult(WAIT.toSeconds(), TimeUnit.SECONDS, resultType));
    assertThat(failed).isInstanceOf(WorkflowFailedException.class);
    assertThat(failed.getCause()).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) failed.getCause();
  }

  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  @Test
  void aSandboxWhoseSpecHasAMisspeltFieldFailsAtItsStartNamingIt() {
    ScriptedRuntime runtime = new ScriptedRuntime();
    try (TestWorkflowEnvironment env = ScriptedEnvironment.start(runtime)) {
      WorkflowClient client = env.getWorkflowClient();
      WorkflowStub stub = start(client, "Sandbox", WorkflowIds.sandboxWorkflowId("typo"),
          map("spec", map("image", "busybox:1.36", "cmd", List.of("echo", "hi"))));
      ApplicationFailure failure = failureOf(stub, SandboxResult.class);
      assertThat(failure.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(failure.getOriginalMessage())
          .isEqualTo("invalid sandbox spec: spec.cmd: unknown field (did you mean command?)");
      SandboxStatus status = stub.query("describe", SandboxStatus.class);
      assertThat(status.phase()).isEqualTo(SandboxPhase.FAILED);
      assertThat(status.reason()).isEqualTo(SandboxReason.INVALID_SPEC.wireName());
      assertThat(status.message()).contains("spec.cmd: unknown field");
      assertThat(runtime.objectsCreated()).as("nothing was created").isZero();

      // unknown fields come first, then the spec's broken rules
      WorkflowStub both = start(client, "Sandbox", WorkflowIds.sandboxWorkflowId("typos"),
          map("spec", map("image", "bad image", "ttl", 60), "notify", true));
      assertThat(failureOf(both, SandboxResult.class).getOriginalMessage()).isEqualTo("invalid sandbox spec: "
          + "notify: unknown field (did you mean notifyParent?); image: must not contain whitespace, got \"bad image\"");

      // no spec at all (its name misspelt): refused at once, not a workflow task failing forever
      WorkflowStub none = start(client, "Sandbox", WorkflowIds.sandboxWorkflowId("no-spec"),
          map("spce", map("image", "busybox:1.36")));
      ApplicationFailure noSpec = failureOf(none, SandboxResult.class);
      assertThat(noSpec.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(noSpec.getOriginalMessage()).isEqualTo("invalid sandbox request: spec: must be set; "
          + "spce: unknown field (did you mean spec?)");

      // the same input spelt right runs its command
      runtime.runToCompletion(spec -> 0);
      WorkflowStub right = start(client, "Sandbox", WorkflowIds.sandboxWorkflowId("spelt-right"),
          map("spec", map("image", "busybox:1.36", "command", List.of("echo", "hi")), "notifyParent", false));
      assertThat(right.getResult(SandboxResult.class).status().phase()).isEqualTo(SandboxPhase.SUCCEEDED);
    }
  }

  @Test
  void execAndLogsWithAnUnknownFieldAreRefusedAsInvalidSandboxSpec() {
    ScriptedRuntime runtime = new ScriptedRuntime();
    try (TestWorkflowEnvironment env = ScriptedEnvironment.start(runtime)) {
      WorkflowClient client = env.getWorkflowClient();
      SandboxClient sandboxes = new SandboxClient(client, TaskQueues.DEFAULT);
      String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name("execs").build());
      assertThat(sandboxes.awaitRunning(name, WAIT).phase()).isEqualTo(SandboxPhase.RUNNING);
      String id = WorkflowIds.sandboxWorkflowId(name);

      ApplicationFailure exec = RejectionTypesTest.rejection(client, id, "exec", map("argv", List.of("true"), "tiemout", 5));
      assertThat(exec.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(exec.getOriginalMessage())
          .isEqualTo("invalid exec request: tiemout: unknown field (did you mean timeout?)");
      ApplicationFailure logs = RejectionTypesTest.rejection(client, id, "logs", map("tial", 5));
      assertThat(logs.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(logs.getOriginalMessage()).isEqualTo("invalid log request: tial: unknown field (did you mean tail?)");
      // refused before anything was recorded: the sandbox counts no exec
      assertThat(sandboxes.describe(name).execCount()).isZero();

      // spelt right, both are served (the scripted runtime's echo prints its arguments)
      assertThat(client.newUntypedWorkflowStub(id).update("exec", dev.sandboxes.model.ExecResult.class,
          map("argv", List.of("echo", "hi"), "timeout", 5)).stdout()).isEqualTo("hi\n");
      assertThat(client.newUntypedWorkflowStub(id).update("logs", dev.sandboxes.model.LogChunk.class, map("tail", 5)))
          .isNotNull();
      sandboxes.terminate(name, null);
    }
  }

  @Test
  void aVolumeAndABatchWithAnUnknownFieldFailAtTheirStartNamingIt() {
    ScriptedRuntime runtime = new ScriptedRuntime();
    try (TestWorkflowEnvironment env = ScriptedEnvironment.start(runtime)) {
      WorkflowClient client = env.getWorkflowClient();
      WorkflowStub volume = start(client, "Volume", WorkflowIds.volumeWorkflowId("data"),
          map("name", "data", "spec", map("sise", "1Gi")));
      ApplicationFailure volumeFailure = failureOf(volume, VolumeStatus.class);
      assertThat(volumeFailure.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(volumeFailure.getOriginalMessage())
          .isEqualTo("invalid volume spec: spec.sise: unknown field (did you mean size?)");

      WorkflowStub batch = start(client, "Batch", WorkflowIds.batchWorkflowId("nightly"),
          map("spec", map("template", map("image", "busybox:1.36", "cmd", List.of("true")), "count", 2,
              "parallelism", 1, "retry", map("attempts", 1, "retryon", List.of("failed")))));
      ApplicationFailure batchFailure = failureOf(batch, BatchProgress.class);
      assertThat(batchFailure.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(batchFailure.getOriginalMessage()).startsWith("invalid batch spec: ")
          .contains("spec.template.cmd: unknown field (did you mean command?)",
              "spec.retry.retryon: unknown field (did you mean retryOn?)");
      assertThat(runtime.objectsCreated()).as("no item ran").isZero();
    }
  }
}
