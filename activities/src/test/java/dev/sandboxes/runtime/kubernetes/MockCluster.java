package dev.sandboxes.runtime.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test class's cluster: the fabric8 mock API server ({@link SimulatedApiServer}), a client,
 * the {@link KubeletSimulator} moving pod status, and a {@link KubernetesRuntime} in namespace
 * {@value #NAMESPACE}. A test class registers it as a static extension, which starts it before
 * the class's tests and closes it after them:
 *
 * <pre>{@code @RegisterExtension static final MockCluster cluster = MockCluster.start();}</pre>
 */
final class MockCluster implements BeforeAllCallback, AfterAllCallback {
  static final String NAMESPACE = "sandboxes";

  private final UnaryOperator<KubernetesRuntimeOptions.Builder> options;
  SimulatedApiServer api;
  KubernetesClient client;
  KubeletSimulator kubelet;
  KubernetesRuntime runtime;
  private KubernetesRuntimeOptions built;

  private MockCluster(UnaryOperator<KubernetesRuntimeOptions.Builder> options) {
    this.options = options;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    api = SimulatedApiServer.start();
    client = api.server().createClient();
    kubelet = new KubeletSimulator(client, NAMESPACE);
    built = options.apply(KubernetesRuntimeOptions.newBuilder().namespace(NAMESPACE)).build();
    runtime = new KubernetesRuntime(client, built);
  }

  /** The runtime's options. */
  KubernetesRuntimeOptions options() {
    return built;
  }

  /** With the runtime's default options. */
  static MockCluster start() {
    return start(UnaryOperator.identity());
  }

  /** With the runtime's options as {@code options} changes them. */
  static MockCluster start(UnaryOperator<KubernetesRuntimeOptions.Builder> options) {
    return new MockCluster(options);
  }

  /** A loopback port free now (for the real agent binary standing in for a pod's process). */
  static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code prefix} and 8 random characters: a name no other test uses. */
  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    kubelet.close();
    runtime.close();
    client.close();
    try {
      api.server().destroy();
    } catch (IllegalStateException e) {
      // The mock server's watch listener blocks its event loop while it drains the events queued
      // for a watch that closed (fabric8's WatchEventsListener.onClosed waits on its executor),
      // so after a test that moved many pods its shutdown can time out. The tests are over; what
      // is left is the mock's threads in this test JVM.
      System.err.println("the mock API server did not stop in time: " + e);
    }
  }
}
