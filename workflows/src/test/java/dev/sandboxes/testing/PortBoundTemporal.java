package dev.sandboxes.testing;

import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Temporal's in-process server on a free port of this host, for an application that connects to
 * a server by address, with the sandbox search attributes registered in namespace
 * {@code default}: that server cannot list search attributes, so a worker's plugin cannot
 * complete them there.
 */
public final class PortBoundTemporal implements AutoCloseable {
  private final TestServer.PortBoundTestServer server;
  private final String target;

  private PortBoundTemporal(TestServer.PortBoundTestServer server, String target) {
    this.server = server;
    this.target = target;
  }

  /** Starts a server and registers the sandbox search attributes on it. */
  public static PortBoundTemporal start() {
    int port = freePort();
    PortBoundTemporal temporal = new PortBoundTemporal(TestServer.createPortBoundServer(port), "127.0.0.1:" + port);
    temporal.registerSearchAttributes();
    return temporal;
  }

  /** Its address, {@code host:port}. */
  public String target() {
    return target;
  }

  /** Stops the server. */
  @Override
  public void close() {
    server.close();
  }

  private void registerSearchAttributes() {
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
