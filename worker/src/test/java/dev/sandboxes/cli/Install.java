package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The worker as deploy/rig/install-worker.sh installs it in the rig: release
 * {@code sandboxes-worker} of the chart in namespace {@code sandboxes-system}, and the tools the
 * install tests drive it with ({@code -Dsandboxes.e2e.helm}, {@code -Dsandboxes.e2e.kubectl}).
 */
final class Install {
  static final String RELEASE = "sandboxes-worker";
  static final String NAMESPACE = "sandboxes-system";
  /**
   * The worker's pods: the chart's selector labels. The release's instance label alone also
   * selects the egress proxy's pods.
   */
  static final Map<String, String> WORKER_POD_LABELS =
      Map.of("app.kubernetes.io/name", "sandboxes-worker", "app.kubernetes.io/instance", RELEASE);
  static final String SERVICE_ACCOUNT = "sandbox-worker";

  private Install() {}

  /** What a command printed and how it ended. */
  record Result(int code, String out, String err) {
    Result requireSuccess(String what) {
      if (code != 0) {
        fail(what + " exited " + code + ":\n" + err + "\n" + out);
      }
      return this;
    }
  }

  static Path repository() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
  }

  static Path chart() {
    return repository().resolve("deploy/helm/sandboxes-worker");
  }

  static Path helm() {
    return tool("sandboxes.e2e.helm", "helm (deploy/helm.sh builds it)");
  }

  static Path kubectl() {
    return tool("sandboxes.e2e.kubectl", "the rig's kubectl");
  }

  /** Runs {@code command} to its end (at most 10 minutes), {@code stdin} fed to it when not null. */
  static Result run(List<String> command, String stdin) {
    try {
      Path out = Files.createTempFile("install-out", ".txt");
      Path err = Files.createTempFile("install-err", ".txt");
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      if (stdin == null) {
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      }
      Process process = builder.start();
      if (stdin != null) {
        try (var in = process.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not end in 10 minutes");
      }
      Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** {@code helm ARGS... --kubeconfig <admin>}. */
  static Result helm(String... args) {
    List<String> command = new ArrayList<>(List.of(helm().toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--kubeconfig", System.getProperty("sandboxes.e2e.adminKubeconfig")));
    return run(command, null);
  }

  /** The installed Deployment, as the API server has it. */
  static Deployment deployment(KubernetesClient admin) {
    Deployment deployment = admin.apps().deployments().inNamespace(NAMESPACE).withName(RELEASE).get();
    if (deployment == null) {
      fail("no Deployment " + NAMESPACE + "/" + RELEASE + ": deploy/rig/install-worker.sh installs it (deploy/e2e.sh runs it)");
    }
    return deployment;
  }

  /** The worker pods of the release that are running and not being deleted. */
  static List<Pod> runningWorkers(KubernetesClient admin) {
    return admin.pods().inNamespace(NAMESPACE).withLabels(WORKER_POD_LABELS).list()
        .getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && "Running".equals(p.getStatus().getPhase()))
        .toList();
  }

  private static Path tool(String property, String what) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank() || !Files.isExecutable(Path.of(value))) {
      fail("the install tests need " + what + ": -D" + property + "=" + value + " names no executable; run deploy/e2e.sh");
    }
    return Path.of(value);
  }
}
