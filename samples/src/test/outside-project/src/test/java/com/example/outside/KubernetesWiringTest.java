package com.example.outside;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntime;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes runtime wired as a worker would wire it, against an API server that answers
 * nothing: the create must get as far as the network and fail with the runtime's typed error,
 * not with a class missing from the classpath (with the Temporal SDK's Jackson 2.15 the client
 * failed to build: {@code NoClassDefFoundError: JsonSerializeAs}).
 */
class KubernetesWiringTest {
  @Test
  void theKubernetesRuntimeBuildsItsRequestsOnAnOutsideProjectsClasspath() {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1")
        .withRequestRetryBackoffLimit(0).withConnectionTimeout(2000).build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        KubernetesRuntime runtime = new KubernetesRuntime(client,
            KubernetesRuntimeOptions.newBuilder().namespace("sandboxes").build())) {
      PlatformException failure = assertThrows(PlatformException.class, () -> runtime.create(
          SandboxSpec.builder("busybox:1.36").name("outside").command("true").build(),
          new SandboxOwner("sandbox/outside", "run-1")));
      assertTrue(failure.getMessage().startsWith("create sandbox outside"), failure.getMessage());
    }
  }
}
