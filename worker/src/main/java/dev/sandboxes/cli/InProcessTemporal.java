package dev.sandboxes.cli;

import io.temporal.testserver.TestServer;

/**
 * Temporal's in-process Java server, the development stack's fallback when the {@code temporal}
 * CLI is not on PATH. The only class that touches it: the production worker jar
 * ({@code sandbox-worker.jar}) leaves the test server out, and there {@link #start} fails with a
 * message saying what to do instead.
 */
final class InProcessTemporal implements AutoCloseable {
  private final TestServer.PortBoundTestServer server;

  private InProcessTemporal(TestServer.PortBoundTestServer server) {
    this.server = server;
  }

  static InProcessTemporal start(int port) {
    try {
      return new InProcessTemporal(TestServer.createPortBoundServer(port));
    } catch (NoClassDefFoundError e) {
      throw new CliException(ExitCodes.USAGE, "this is the production worker jar, which has no in-process "
          + "Temporal server: put the temporal CLI on PATH, or run the development stack from sandbox.jar");
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
