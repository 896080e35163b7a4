package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the worker module's cluster tests reach the rig that deploy/e2e.sh starts: its Temporal
 * server ({@code -Dsandboxes.cli.address}), the worker's kubeconfig
 * ({@code -Dsandboxes.e2e.kubeconfig}) and the admin kubeconfig the crash suites observe the
 * cluster with ({@code -Dsandboxes.e2e.adminKubeconfig}). Without them a test fails loudly,
 * never skips.
 */
final class Rig {
  static final String NAMESPACE = System.getProperty("sandboxes.e2e.namespace", "sandboxes");

  private Rig() {}

  /** The rig's Temporal address; fails the test when it is not given. */
  static String temporalAddress() {
    String address = System.getProperty("sandboxes.cli.address");
    if (address == null || address.isBlank() || address.startsWith("${")) {
      fail("the e2e suite needs the rig's Temporal server: -Dsandboxes.cli.address=" + address
          + "; run deploy/e2e.sh");
    }
    return address;
  }

  /** The worker's least-privilege kubeconfig on the rig; fails the test when it names no file. */
  static String kubeconfig() {
    return file("sandboxes.e2e.kubeconfig", "the worker's kubeconfig").toString();
  }

  /** Stubs on the rig's Temporal server; the caller shuts them down. */
  static WorkflowServiceStubs temporal() {
    return connect(temporalAddress());
  }

  /** Stubs on the Temporal server at {@code address}; the caller shuts them down. */
  static WorkflowServiceStubs connect(String address) {
    return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
  }

  /** A client with the admin kubeconfig: sees every object, including what the worker may not list. */
  static KubernetesClient admin() {
    Path kubeconfig = file("sandboxes.e2e.adminKubeconfig", "the rig's admin kubeconfig");
    try {
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The production worker's jar ({@code sandbox-worker.jar}: the CLI without the in-process test
   * server), built by {@code mvn package} (deploy/e2e.sh installs it first).
   */
  static Path workerJar() {
    Path jar = Path.of(System.getProperty("basedir", "."), "target", "sandbox-worker.jar");
    if (!Files.isRegularFile(jar)) {
      fail("the crash tests run the production worker from " + jar.toAbsolutePath()
          + ", which is missing; build it with mvn package (deploy/e2e.sh does)");
    }
    return jar;
  }

  /** The in-sandbox agent's image, imported into the rig ({@code -Dsandboxes.e2e.agentImage}). */
  static String agentImage() {
    String image = System.getProperty("sandboxes.e2e.agentImage");
    if (image == null || image.isBlank()) {
      fail("the e2e suite needs the agent's image: -Dsandboxes.e2e.agentImage is unset; run deploy/e2e.sh");
    }
    return image;
  }

  private static Path file(String property, String what) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank() || !Files.isRegularFile(Path.of(value))) {
      fail("the e2e suite needs " + what + ": -D" + property + "=" + value + " names no file; run deploy/e2e.sh");
    }
    return Path.of(value);
  }
}
