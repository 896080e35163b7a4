package dev.sandboxes.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's local runtime: a fresh root directory and a {@link LocalRuntime} over it with the
 * options the test class asks for, closed and removed after each test. A test class registers
 * it as an instance extension:
 *
 * <pre>{@code @RegisterExtension final LocalRuntimeFixture local =
 *     LocalRuntimeFixture.with(b -> b.isolation(IsolationMode.BUBBLEWRAP));}</pre>
 *
 * Name the isolation mode, never AUTO: on a machine without a working {@code bwrap}, a suite
 * meant for bubblewrap must fail instead of quietly testing plain processes.
 */
final class LocalRuntimeFixture implements BeforeEachCallback, AfterEachCallback {
  private final UnaryOperator<LocalRuntimeOptions.Builder> options;
  private Path root;
  private LocalRuntime runtime;

  private LocalRuntimeFixture(UnaryOperator<LocalRuntimeOptions.Builder> options) {
    this.options = options;
  }

  /** With the options {@code options} sets on a builder whose root is the test's directory. */
  static LocalRuntimeFixture with(UnaryOperator<LocalRuntimeOptions.Builder> options) {
    return new LocalRuntimeFixture(options);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    root = Files.createTempDirectory("local-runtime-");
    runtime = new LocalRuntime(options());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      runtime.close();
    } finally {
      Directories.deleteTree(root);
    }
  }

  /** The runtime of the current test. */
  LocalRuntime runtime() {
    return runtime;
  }

  /** The runtime's root directory: {@code sandboxes/<name>}, {@code volumes/<name>}. */
  Path root() {
    return root;
  }

  /** The options the runtime was made with, e.g. for a second runtime on the same root. */
  LocalRuntimeOptions options() {
    return options.apply(LocalRuntimeOptions.newBuilder().root(root)).build();
  }
}
