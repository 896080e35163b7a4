package dev.sandboxes.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What {@link LocalRuntimeOptions.Builder} makes of its settings. */
class LocalRuntimeOptionsTest {
  private static final Path DEFAULT_ROOT = Path.of(System.getProperty("java.io.tmpdir"), "sandboxes-local");

  @Test
  void theRootDefaultsToSandboxesLocalInTheTemporaryDirectory() {
    assertThat(LocalRuntimeOptions.defaults().root()).isEqualTo(DEFAULT_ROOT);
    assertThat(LocalRuntimeOptions.newBuilder().root(null).build().root()).isEqualTo(DEFAULT_ROOT);
  }

  @Test
  void aNullRootAfterAnotherOneMeansTheDefaultAgain() {
    LocalRuntimeOptions.Builder builder = LocalRuntimeOptions.newBuilder().root(Path.of("/srv/sandboxes"));
    assertThat(builder.build().root()).isEqualTo(Path.of("/srv/sandboxes"));

    assertThat(builder.root(null).build().root()).isEqualTo(DEFAULT_ROOT);
  }
}
