package dev.sandboxes.runtime.local;

import java.util.List;
import java.util.Map;

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
   */
  ProcessBuilder processFor(SandboxView view, List<String> argv, Map<String, String> env, String workdir);
}
