package dev.sandboxes.cli;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code temporal server start-dev} on a free port, headless, its state in a {@link DevServerStore}, for a test: with the
 * sandbox search attributes or without them. Fails, never skips, when the temporal CLI is not on
 * the PATH.
 */
record DevServer(Process process, int port, DevServerStore store) implements AutoCloseable {
  static DevServer start(Path log, boolean searchAttributes, List<String> extraFlags) throws Exception {
    Path temporal = EmbeddedStack.onPath("temporal");
    if (temporal == null) {
      throw new AssertionError("the temporal CLI is not on the PATH; run these tests with "
          + "PATH=\"$(deploy/temporal-cli.sh):$PATH\" (bin/test does)");
    }
    int port = freePort();
    List<String> command = new ArrayList<>();
    Path setpriv = EmbeddedStack.onPath("setpriv");
    if (setpriv != null) {
      command.addAll(List.of(setpriv.toString(), "--pdeathsig", "TERM", "--"));
    }
    command.addAll(List.of(temporal.toString(), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
        "--port", String.valueOf(port), "--log-level", "error"));
    DevServerStore store = DevServerStore.create();
    command.addAll(store.flags());
    if (searchAttributes) {
      command.addAll(EmbeddedStack.searchAttributeFlags());
    }
    command.addAll(extraFlags);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      store.close();
      throw e;
    }
    DevServer server = new DevServer(process, port, store);
    WorkflowServiceStubs probe = server.stubs();
    try {
      EmbeddedStack.awaitServer(probe, process, Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    } finally {
      probe.shutdownNow();
    }
    return server;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  WorkflowServiceStubs stubs() {
    return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address()).build());
  }

  @Override
  public void close() {
    EmbeddedStack.stop(process);
    store.close();
  }
}
