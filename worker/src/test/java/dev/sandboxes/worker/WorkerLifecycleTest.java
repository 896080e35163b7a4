package dev.sandboxes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A worker started before its Temporal server waits for it instead of dying; a versioned one
 * that then finds no Worker Deployments there does not poll.
 */
class WorkerLifecycleTest {

  @Test
  void aWorkerStartedBeforeTheServerPollsOnceTheServerIsUp() {
    int port = freePort();
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    factory.newWorker("lifecycle-test");
    WorkerLifecycle lifecycle = new WorkerLifecycle(factory, Duration.ofSeconds(5), "lifecycle test");
    try {
      lifecycle.start();
      assertThat(lifecycle.isRunning()).isTrue();
      assertThat(lifecycle.isPolling()).isFalse();

      try (TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port)) {
        await().atMost(Duration.ofSeconds(15)).until(lifecycle::isPolling);
        lifecycle.stop();
        assertThat(factory.isTerminated()).isTrue();
      }
    } finally {
      lifecycle.stop();
      factory.shutdownNow();
      stubs.shutdownNow();
    }
  }

  @Test
  void aVersionedWorkerStartedBeforeAServerWithoutWorkerDeploymentsNeverPolls() {
    int port = freePort();
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    factory.newWorker("lifecycle-test");
    WorkerDeployments deployments = new WorkerDeployments(stubs, "default");
    AtomicReference<RuntimeException> lastCheck = new AtomicReference<>();
    WorkerLifecycle lifecycle = new WorkerLifecycle(factory, Duration.ofSeconds(5), "lifecycle test", () -> {
      try {
        deployments.requireSupport(new WorkerDeploymentVersion("lifecycle-test", "1.0.0"));
      } catch (RuntimeException e) {
        lastCheck.set(e);
        throw e;
      }
    }, () -> {});
    try {
      lifecycle.start();
      assertThat(lastCheck.get()).isInstanceOf(StatusRuntimeException.class);

      try (TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port)) {
        await().atMost(Duration.ofSeconds(15)).until(() -> lastCheck.get() instanceof VersioningUnsupportedException);
        assertThat(lifecycle.isRunning()).isTrue();
        assertThat(lifecycle.isPolling()).as("polling unversioned").isFalse();
        assertThat(factory.isStarted()).isFalse();
      }
    } finally {
      lifecycle.stop();
      factory.shutdownNow();
      stubs.shutdownNow();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
