package dev.sandboxes.model;

/** The task queue that workers poll and clients start workflows on, unless configured otherwise. */
public final class TaskQueues {
  private TaskQueues() {}

  /** The default task queue of sandbox workflows and activities. */
  public static final String DEFAULT = "sandboxes";
}
