package dev.sandboxes.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns a command of a sandbox into a host process that sees only the sandbox's view. */
interface Isolation {

  /** The mode this isolation implements, never {@link IsolationMode#AUTO}. */
  IsolationMode mode();

  /**
   * A process builder for {@code argv} run inside {@code view}.
   *
   * @param env the complete environment of the command (besides {@code PATH} and {@code HOME},
   *     which it may override)
   * @param workdir absolute working directory inside the sandbox; {@code null} for
   *     {@link SandboxView#WORKSPACE}
   * @throws IOException when the command cannot be started at all (its program is missing)
   */
  ProcessBuilder processFor(SandboxView view, List<String> argv, Map<String, String> env, String workdir)
      throws IOException;

  /**
   * Whether the process that {@link #processFor} starts only supervises the command (and exits
   * once the command is gone) rather than being the command itself; see {@link ProcessTree}.
   */
  boolean wrapsCommand();

  /** {@code program} in a directory of the worker's {@code PATH}, if any. */
  static Optional<Path> findOnPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, program);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
