package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.fail;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the worker module's cluster tests reach the rig that deploy/e2e.sh starts: its Temporal
 * server ({@code -Dsandboxes.cli.address}) and the worker's kubeconfig
 * ({@code -Dsandboxes.e2e.kubeconfig}). Without them a test fails loudly, never skips.
 */
final class Rig {
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
    String kubeconfig = System.getProperty("sandboxes.e2e.kubeconfig");
    if (kubeconfig == null || !Files.isRegularFile(Path.of(kubeconfig))) {
      fail("the e2e suite needs the rig: -Dsandboxes.e2e.kubeconfig=" + kubeconfig
          + " names no file; run deploy/e2e.sh");
    }
    return kubeconfig;
  }

  /** Stubs on the rig's Temporal server; the caller shuts them down. */
  static WorkflowServiceStubs temporal() {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporalAddress()).build());
  }
}
