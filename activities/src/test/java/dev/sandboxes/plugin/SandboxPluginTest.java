package dev.sandboxes.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plugin sizes a worker's activity slots for sandboxes whose watches each hold one (with the
 * SDK's default of 200, a worker's 201st running sandbox never got its create run), and leaves a
 * worker's own choice alone.
 */
class SandboxPluginTest {
  TestWorkflowEnvironment env;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  WorkerFactory factory(SandboxPlugin plugin) {
    return WorkerFactory.newInstance(env.getWorkflowClient(),
        WorkerFactoryOptions.newBuilder().setPlugins(plugin).build());
  }

  @Test
  void aWorkerWithTheSdksDefaultSlotsGetsEnoughForItsSandboxesWatches() {
    WorkerFactory factory = factory(SandboxPlugin.forRuntime(new ScriptedRuntime()));
    assertThat(factory.newWorker("plain").getWorkerOptions().getMaxConcurrentActivityExecutionSize())
        .isEqualTo(SandboxPlugin.ACTIVITY_SLOTS);
    assertThat(factory.newWorker("defaults", WorkerOptions.getDefaultInstance()).getWorkerOptions()
        .getMaxConcurrentActivityExecutionSize()).isEqualTo(SandboxPlugin.ACTIVITY_SLOTS);
  }

  @Test
  void aWorkersOwnSlotCountAndOtherTaskQueuesAreLeftAlone() {
    WorkerFactory factory = factory(SandboxPlugin.forRuntime(new ScriptedRuntime(), Set.of("sandboxes")));
    assertThat(factory.newWorker("sandboxes", WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(50).build())
        .getWorkerOptions().getMaxConcurrentActivityExecutionSize()).isEqualTo(50);
    assertThat(factory.newWorker("elsewhere", WorkerOptions.getDefaultInstance()).getWorkerOptions()
        .getMaxConcurrentActivityExecutionSize()).isEqualTo(SandboxPlugin.SDK_DEFAULT_ACTIVITY_SLOTS);
  }

  @Test
  void onAClientThatSetsNoDataConverterItWrapsTheSdksOwn() {
    // client options that set no converter hand the plugin null: the global converter is wrapped
    WorkflowClient client = WorkflowClient.newInstance(env.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder().setPlugins(SandboxPlugin.forRuntime(new ScriptedRuntime())).build());
    assertThat(client.getOptions().getDataConverter()).isInstanceOf(SandboxDataConverter.class);
    assertThat(client.getOptions().getDataConverter().toPayload("x")).isPresent();
  }
}
