package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.batch.internal.BatchChunkWorkflowImpl;
import dev.sandboxes.batch.internal.BatchWorkflowImpl;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.reaper.internal.ReaperWorkflowImpl;
import dev.sandboxes.runtime.ScriptedRuntime;
import dev.sandboxes.workflow.internal.SandboxWorkflowImpl;
import dev.sandboxes.workflow.internal.VolumeWorkflowImpl;
import io.temporal.common.VersioningBehavior;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.common.metadata.POJOWorkflowImplMetadata;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerDeploymentOptions;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Under Worker Versioning a batch finishes on the worker version that started it (pinned), while
 * the long-lived sandboxes and volumes, and the reaper, move to the current version
 * (auto-upgrade). Each workflow type's {@code Versioned} implementation declares that itself, so
 * the plugin works on any versioned worker, including one that sets no default behaviour; the
 * plain implementations declare nothing, because a server refuses a behaviour reported by an
 * unversioned worker (shown against a real server by {@code WorkerVersioningTest}).
 */
class WorkflowVersioningBehaviorTest {
  static Stream<Arguments> workflowTypes() {
    return Stream.of(
        Arguments.of(BatchWorkflowImpl.class, BatchWorkflowImpl.Versioned.class, VersioningBehavior.PINNED),
        Arguments.of(BatchChunkWorkflowImpl.class, BatchChunkWorkflowImpl.Versioned.class, VersioningBehavior.PINNED),
        Arguments.of(SandboxWorkflowImpl.class, SandboxWorkflowImpl.Versioned.class, VersioningBehavior.AUTO_UPGRADE),
        Arguments.of(VolumeWorkflowImpl.class, VolumeWorkflowImpl.Versioned.class, VersioningBehavior.AUTO_UPGRADE),
        Arguments.of(ReaperWorkflowImpl.class, ReaperWorkflowImpl.Versioned.class, VersioningBehavior.AUTO_UPGRADE));
  }

  @ParameterizedTest(name = "{1} is {2}")
  @MethodSource("workflowTypes")
  void eachVersionedImplementationDeclaresItsBehaviourAndThePlainOneNone(Class<?> plain, Class<?> versioned,
      VersioningBehavior expected) {
    assertThat(versioned.getSuperclass()).isEqualTo(plain);
    assertThat(POJOWorkflowImplMetadata.newInstance(versioned).getWorkflowMethods()).isNotEmpty()
        .allSatisfy(method -> assertThat(POJOWorkflowImplMetadata.getVersioningBehaviorForMethod(versioned, method))
            .isEqualTo(expected));
    assertThat(POJOWorkflowImplMetadata.newInstance(plain).getWorkflowMethods()).isNotEmpty()
        .allSatisfy(method -> assertThat(POJOWorkflowImplMetadata.getVersioningBehaviorForMethod(plain, method))
            .isNull());
  }

  @Test
  void thePluginRegistersOnAVersionedWorkerWithoutADefaultBehaviourAndASandboxRuns() {
    ScriptedRuntime runtime = new ScriptedRuntime();
    try (TestWorkflowEnvironment env = versionedEnvironment(runtime)) {
      Worker worker = env.newWorker(TaskQueues.DEFAULT, versioned());
      // A type without a declared behaviour is what the SDK refuses on such a worker.
      assertThatThrownBy(() -> worker.registerWorkflowImplementationTypes(OwnerWorkflowImpl.class))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must have a VersioningBehavior set");
      env.start();

      // The Java test server has no Worker Deployments: it ignores the version and runs the
      // worker as if unversioned (which is why the worker checks the server before it polls).
      SandboxClient sandboxes = new SandboxClient(env.getWorkflowClient(), TaskQueues.DEFAULT);
      String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").build());
      assertThat(sandboxes.awaitRunning(name, Duration.ofSeconds(20)).phase()).isEqualTo(SandboxPhase.RUNNING);
      sandboxes.terminate(name, "done");
    }
  }

  private static TestWorkflowEnvironment versionedEnvironment(ScriptedRuntime runtime) {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
            .setPlugins(SandboxPlugin.forRuntime(runtime)).build())
        .build());
    SearchAttributeKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
    return env;
  }

  private static WorkerOptions versioned() {
    return WorkerOptions.newBuilder()
        .setDeploymentOptions(WorkerDeploymentOptions.newBuilder()
            .setUseVersioning(true)
            .setVersion(new WorkerDeploymentVersion("sandboxes", "1.0.0"))
            .build())
        .build();
  }
}
