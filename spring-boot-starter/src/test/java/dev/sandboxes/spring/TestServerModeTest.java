package dev.sandboxes.spring;

import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An application in temporal-spring-boot-starter's test-server mode
 * ({@code spring.temporal.test-server.enabled}), the mode in which the Temporal starter drops
 * plugin beans: the sandbox plugin still reaches its client and worker, and a sandbox runs on the
 * local runtime under bubblewrap (the starter's default isolation).
 */
@SpringBootTest(classes = SandboxApplication.class, properties = "spring.config.name=test-server-app")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TestServerModeTest {
  @DynamicPropertySource
  static void localRoot(DynamicPropertyRegistry registry) throws IOException {
    String root = Files.createTempDirectory("starter-test-server-").toString();
    registry.add("sandboxes.local.root", () -> root);
  }

  @Autowired WorkflowClient client;
  @Autowired WorkerFactory workerFactory;

  @Test
  void thePluginIsOnTheClientAndTheWorker() {
    SandboxApplication.assertPluginOnClientAndWorker(client, workerFactory);
  }

  @Test
  void aSandboxRunsACommand() {
    SandboxApplication.assertSandboxRunsEchoHi(client);
  }
}
