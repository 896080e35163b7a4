package dev.sandboxes.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.docs.JavadocCoverage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an application configures or replaces has javadoc on every public type and method. */
class StarterJavadocTest {
  @Test
  void theStarterIsDocumented() {
    assertThat(JavadocCoverage.missing(List.of(Path.of("src/main/java/dev/sandboxes/spring")))).isEmpty();
  }
}
