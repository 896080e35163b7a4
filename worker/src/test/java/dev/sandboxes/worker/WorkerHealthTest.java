package dev.sandboxes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxes.runtime.local.IsolationMode;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Status;
import org.springframework.util.unit.DataSize;

/** The {@code temporal} health component follows the worker and the server. */
class WorkerHealthTest {

  @Test
  void downUntilPollingUpWhilePollingDownWhenTheServerGoesAway() {
    int port = freePort();
    String target = "127.0.0.1:" + port;
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    factory.newWorker("health-test");
    WorkerLifecycle lifecycle = new WorkerLifecycle(factory, Duration.ofSeconds(5), "health test");
    TemporalHealthIndicator health = new TemporalHealthIndicator(stubs, lifecycle, properties(target),
        "local", Duration.ofSeconds(1));
    try {
      lifecycle.start();
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails()).containsEntry("worker", "not polling");

      try (TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port)) {
        await().atMost(Duration.ofSeconds(15)).until(lifecycle::isPolling);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      }

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.health().getDetails()).containsKey("error");
      });
    } finally {
      lifecycle.stop();
      factory.shutdownNow();
      stubs.shutdownNow();
    }
  }

  private static SandboxesProperties properties(String target) {
    return new SandboxesProperties(
        new TemporalProperties(target, "default", null, new TlsProperties(false, null, null, null, null)),
        "health-test", RuntimeKind.LOCAL,
        new KubernetesProperties("sandboxes", "500m", "512Mi", DataSize.ofMegabytes(1), null, "deny-all",
            "1Gi", null, "ReadWriteOnce", "docker.io/library/busybox:1.36", null, 7431, "pod-ip", null, null, true, null, null, null),
        new LocalProperties(null, IsolationMode.NONE, DataSize.ofMegabytes(1)),
        Duration.ofSeconds(5),
        new SandboxProperties(Duration.ofHours(24), Duration.ofMinutes(15), Duration.ofMinutes(10)),
        new ReaperProperties(false, Duration.ofMinutes(1), Duration.ofSeconds(30)),
        new VersioningProperties(false, null, null, false, java.time.Duration.ZERO, java.time.Duration.ZERO));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
