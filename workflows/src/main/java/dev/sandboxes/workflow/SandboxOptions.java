package dev.sandboxes.workflow;

/**
 * How the author API starts sandboxes from workflow code.
 *
 * @param taskQueue task queue of the sandbox workflows and their activities; {@code null} for
 *     the calling workflow's own (the plugin registers everything on every worker)
 */
public record SandboxOptions(String taskQueue) {
  /** Sandboxes on the calling workflow's own task queue. */
  public static SandboxOptions defaults() {
    return new SandboxOptions(null);
  }

  /** Sandboxes on {@code taskQueue}; {@code null} for the calling workflow's own. */
  public static SandboxOptions onTaskQueue(String taskQueue) {
    return new SandboxOptions(taskQueue);
  }
}
