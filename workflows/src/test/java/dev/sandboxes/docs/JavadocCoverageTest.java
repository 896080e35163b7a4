package dev.sandboxes.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The author and client API has javadoc on every public type and method: what a workflow author
 * calls (the workflow and batch packages), what a client calls, and the model both pass around.
 */
class JavadocCoverageTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/sandboxes");

  @Test
  void theAuthorAndClientApiIsDocumented() {
    assertThat(JavadocCoverage.missing(List.of(SOURCES.resolve("workflow"), SOURCES.resolve("batch"),
        SOURCES.resolve("client"), SOURCES.resolve("model")))).isEmpty();
  }

  @Test
  void theCheckFindsAnUndocumentedMember() {
    assertThat(JavadocCoverage.missing(List.of(Path.of("src/test/java/dev/sandboxes/docs/Undocumented.java"))))
        .containsExactly("Undocumented.java: Undocumented.plain(…)", "Undocumented.java: type Nested",
            "Undocumented.java: Nested.Nested(…)");
  }
}
