package dev.sandboxes.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a user wires into a worker has javadoc on every public type and method: the plugin, the
 * two runtimes and their options, and the platform's typed error.
 */
class WiringJavadocTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/sandboxes");

  @Test
  void whatAWorkerIsWiredWithIsDocumented() {
    assertThat(JavadocCoverage.missing(List.of(SOURCES.resolve("plugin"),
        SOURCES.resolve("runtime/kubernetes/KubernetesRuntime.java"),
        SOURCES.resolve("runtime/kubernetes/KubernetesRuntimeOptions.java"),
        SOURCES.resolve("runtime/local/LocalRuntime.java"),
        SOURCES.resolve("runtime/local/LocalRuntimeOptions.java"),
        SOURCES.resolve("runtime/PlatformException.java")))).isEmpty();
  }
}
