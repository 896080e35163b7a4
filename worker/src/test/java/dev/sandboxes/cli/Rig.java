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
 * Where the end-to-end rig is, from the properties deploy/e2e.sh passes: its Temporal server
 * ({@code sandboxes.cli.address}), the worker's least-privilege kubeconfig
 * ({@code sandboxes.e2e.kubeconfig}) and the admin kubeconfig the tests observe the cluster with
 * ({@code sandboxes.e2e.adminKubeconfig}). A missing one fails the test at once, naming it.
 */
final class Rig {
  static final String NAMESPACE = System.getProperty("sandboxes.e2e.namespace", "sandboxes");

  private Rig() {}

  static String temporalAddress() {
    return required("sandboxes.cli.address", "the rig's Temporal server (HOST:PORT)");
  }

  /** Stubs for the Temporal server at {@code address}; the caller shuts them down. */
  static WorkflowServiceStubs connect(String address) {
    return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
  }

  static Path workerKubeconfig() {
    return file("sandboxes.e2e.kubeconfig", "the worker's kubeconfig");
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

  /** The production worker's jar, built by {@code mvn package} (deploy/e2e.sh installs it first). */
  static Path workerJar() {
    Path jar = Path.of(System.getProperty("basedir", "."), "target", "sandbox.jar");
    if (!Files.isRegularFile(jar)) {
      fail("the crash tests run the production worker from " + jar.toAbsolutePath()
          + ", which is missing; build it with mvn package (deploy/e2e.sh does)");
    }
    return jar;
  }

  private static Path file(String property, String what) {
    Path path = Path.of(required(property, what));
    if (!Files.isRegularFile(path)) {
      fail("the e2e suite needs " + what + ": -D" + property + "=" + path + " is not a file; run deploy/e2e.sh");
    }
    return path;
  }

  private static String required(String property, String what) {
    String value = System.getProperty(property);
    // an unset Maven property reaches the test as its own ${...} placeholder
    if (value == null || value.isBlank() || value.startsWith("${")) {
      fail("the e2e suite needs " + what + ": -D" + property + " is not set; run deploy/e2e.sh");
    }
    return value;
  }
}
