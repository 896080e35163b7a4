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
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What a running {@link SandboxApplication} does in each mode of temporal-spring-boot-starter
 * (each subclass starts it in one): the sandbox plugin is on the client that the Temporal starter
 * built and on its worker, and a sandbox runs on the local runtime under bubblewrap (the starter's
 * default isolation). The application declares one worker, on {@value #TASK_QUEUE}.
 */
abstract class SandboxApplicationContract {
  static final String TASK_QUEUE = "sandboxes";

  @DynamicPropertySource
  static void localRoot(DynamicPropertyRegistry registry) throws IOException {
    String root = Files.createTempDirectory("starter-application-").toString();
    registry.add("sandboxes.local.root", () -> root);
  }

  @Autowired WorkflowClient client;
  @Autowired WorkerFactory workerFactory;

  @Test
  void thePluginIsOnTheClientOnceAndOnTheWorker() {
    assertThat(Arrays.stream(client.getOptions().getPlugins()).filter(SandboxPlugin.class::isInstance))
        .hasSize(1);
    // the plugin raised the worker's activity slots (configureWorker): it reached the factory
    assertThat(workerFactory.getWorker(TASK_QUEUE).getWorkerOptions().getMaxConcurrentActivityExecutionSize())
        .isEqualTo(SandboxPlugin.ACTIVITY_SLOTS);
  }

  @Test
  void aSandboxRunsACommand() {
    SandboxClient sandboxes = new SandboxClient(client, TASK_QUEUE);
    String name = sandboxes.start(SandboxSpec.builder("local").command("/bin/sh", "-c", "echo hi").build());

    SandboxResult result = sandboxes.result(name);

    assertThat(result.phase()).isEqualTo(SandboxPhase.SUCCEEDED);
    assertThat(result.exitCode()).isZero();
    assertThat(result.logs().lines()).extracting(LogLine::text).containsExactly("hi");
  }
}
