package dev.sandboxes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.testing.PortBoundTemporal;
import dev.sandboxes.workflow.SandboxResult;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole worker application against Temporal's in-process server, on the local runtime
 * without isolation (so the machine needs nothing installed): it reports healthy, exports
 * Temporal SDK and JVM metrics, and runs a sandbox to completion.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Spring Boot tests turn metrics export (and with it /actuator/prometheus) off unless asked.
@AutoConfigureObservability(tracing = false)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WorkerApplicationTest {
  private static PortBoundTemporal temporal;

  @DynamicPropertySource
  static void temporalServer(DynamicPropertyRegistry registry) throws IOException {
    temporal = PortBoundTemporal.start();
    registry.add("sandboxes.temporal.target", temporal::target);
    registry.add("sandboxes.runtime", () -> "local");
    registry.add("sandboxes.local.isolation", () -> "none");
    Path root = Files.createTempDirectory("worker-application-test");
    registry.add("sandboxes.local.root", root::toString);
  }

  /** Closes the server after the worker has stopped polling it (beans die after lifecycles stop). */
  @TestConfiguration(proxyBeanMethods = false)
  static class TemporalServerShutdown {
    @Bean(destroyMethod = "close")
    AutoCloseable temporalTestServer() {
      return () -> temporal.close();
    }
  }

  @Autowired TestRestTemplate http;
  @Autowired WorkflowClient workflowClient;

  @Test
  void healthIsUpOnceTheWorkerPolls() {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      ResponseEntity<String> health = http.getForEntity("/actuator/health", String.class);
      assertThat(health.getStatusCode()).isEqualTo(HttpStatus.OK);
      assertThat(health.getBody()).contains("\"status\":\"UP\"").contains("\"temporal\":{\"status\":\"UP\"");
    });
    assertThat(http.getForEntity("/actuator/health/readiness", String.class).getBody()).contains("UP");
    assertThat(http.getForEntity("/actuator/health/liveness", String.class).getBody()).contains("UP");
  }

  @Test
  void prometheusExportsTemporalAndJvmMetrics() {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      String metrics = http.getForObject("/actuator/prometheus", String.class);
      assertThat(metrics).contains("temporal_worker_start").contains("jvm_memory_used_bytes");
    });
  }

  @Test
  void aSandboxRunsToSuccess() {
    SandboxClient sandboxes = new SandboxClient(workflowClient);
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").command("sh", "-c", "echo hi").build());

    SandboxResult result = sandboxes.result(name);

    assertThat(result.phase()).isEqualTo(SandboxPhase.SUCCEEDED);
    assertThat(result.exitCode()).isZero();
  }
}
