package dev.sandboxes.spring;

import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An application that temporal-spring-boot-starter connects to a server
 * ({@code spring.temporal.connection.target}; here Temporal's in-process server on a port): the
 * plugin reaches the client once, though the Temporal starter also puts plugin beans on the
 * service stubs in this mode, and a sandbox runs on the local runtime.
 */
@SpringBootTest(classes = {SandboxApplication.class, ConnectedModeTest.ServerShutdown.class},
    properties = "spring.config.name=connected-app")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ConnectedModeTest {
  private static TestServer.PortBoundTestServer server;

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) throws IOException {
    int port = freePort();
    server = TestServer.createPortBoundServer(port);
    String target = "127.0.0.1:" + port;
    // the in-process server cannot list search attributes, so the plugin cannot complete them
    registerSearchAttributes(target);
    registry.add("spring.temporal.connection.target", () -> target);
    String root = Files.createTempDirectory("starter-connected-").toString();
    registry.add("sandboxes.local.root", () -> root);
  }

  /** Closes the server after the application's worker factory has stopped polling it. */
  @TestConfiguration(proxyBeanMethods = false)
  static class ServerShutdown {
    @Bean(destroyMethod = "close")
    AutoCloseable temporalTestServer() {
      return () -> server.close();
    }
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

  private static void registerSearchAttributes(String target) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(target).validateAndBuildWithDefaults());
    try {
      operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace("default")
          .putAllSearchAttributes(SearchAttributeKeys.DEFINITIONS)
          .build());
    } finally {
      operator.shutdownNow();
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
