package dev.sandboxes.cli;

import dev.sandboxes.model.SandboxErrors;

/** The CLI's exit codes; {@code exec} exits with the command's own code instead. */
public final class ExitCodes {
  public static final int OK = 0;
  /** Something failed: the server, the platform, a timeout. */
  public static final int OPERATIONAL = 1;
  /** A bad flag or an invalid value. */
  public static final int USAGE = 2;
  /** The sandbox is not in a phase that allows the operation. */
  public static final int WRONG_PHASE = 3;
  /** No such sandbox. */
  public static final int NOT_FOUND = 4;

  private ExitCodes() {}

  /** The exit code for a typed error. */
  static int of(String errorType) {
    if (SandboxErrors.NOT_FOUND.equals(errorType)) {
      return NOT_FOUND;
    }
    if (SandboxErrors.NOT_RUNNING.equals(errorType)) {
      return WRONG_PHASE;
    }
    if (SandboxErrors.INVALID_SPEC.equals(errorType)) {
      return USAGE;
    }
    return OPERATIONAL;
  }
}
