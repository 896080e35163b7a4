package dev.sandboxes.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.workflow.SandboxResult;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.util.Arrays;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * An application as a user writes one: nothing of its own but auto-configuration (Temporal's and
 * the sandboxes'); its settings are in an {@code application.yaml} of its own name. And what the
 * tests check of it once it runs.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class SandboxApplication {
  /** The task queue of the application's one worker ({@code spring.temporal.workers}). */
  static final String TASK_QUEUE = "sandboxes";

  /** The plugin is on the client exactly once, and has configured the factory's worker. */
  static void assertPluginOnClientAndWorker(WorkflowClient client, WorkerFactory factory) {
    assertThat(Arrays.stream(client.getOptions().getPlugins()).filter(SandboxPlugin.class::isInstance))
        .hasSize(1);
    // the plugin raised the worker's activity slots (configureWorker): it reached the factory
    assertThat(factory.getWorker(TASK_QUEUE).getWorkerOptions().getMaxConcurrentActivityExecutionSize())
        .isEqualTo(SandboxPlugin.ACTIVITY_SLOTS);
  }

  /** A sandbox on the local runtime runs a shell command to success, with its output captured. */
  static void assertSandboxRunsEchoHi(WorkflowClient client) {
    SandboxClient sandboxes = new SandboxClient(client, TASK_QUEUE);
    String name = sandboxes.start(SandboxSpec.builder("local").command("/bin/sh", "-c", "echo hi").build());

    SandboxResult result = sandboxes.result(name);

    assertThat(result.phase()).isEqualTo(SandboxPhase.SUCCEEDED);
    assertThat(result.exitCode()).isZero();
    assertThat(result.logs().lines()).extracting(LogLine::text).containsExactly("hi");
  }
}
