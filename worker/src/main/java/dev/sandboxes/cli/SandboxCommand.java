package dev.sandboxes.cli;

/** Entry point of the {@code sandbox} command line. */
public final class SandboxCommand {
  private SandboxCommand() {}

  public static void main(String[] args) {
    System.exit(0);
  }
}
