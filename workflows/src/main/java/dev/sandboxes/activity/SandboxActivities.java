package dev.sandboxes.activity;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxPhase;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The activities a sandbox workflow (or a workflow holding a {@code Sandbox} handle) calls.
 * Every one is idempotent under retry except {@link #exec}, which its callers never retry.
 * Failures arrive as {@code ApplicationFailure}s typed with {@link dev.sandboxes.model.SandboxErrors}.
 */
@ActivityInterface(namePrefix = "Sandbox")
public interface SandboxActivities {
  /**
   * Creates the sandbox's runtime object, or finds the one an earlier attempt created. While a
   * volume it mounts is pending it creates nothing and returns phase queued with reason
   * {@code VolumePending}; a volume that does not exist fails it as an invalid spec.
   */
  @ActivityMethod
  RuntimeState create(CreateSandboxRequest request);

  /**
   * {@link #create}, then, once the object exists, watches for up to the request's
   * {@code awaitEnd} for the sandbox to end; an ended sandbox's last {@code capture} lines (at most
   * {@link #CAPTURE_MAX_CHARS} characters) come back with its state, read before anything is
   * deleted, so its workflow keeps them in its history and its cleanup only deletes. For batch
   * items, whose commands are mostly short: no watch activity, no checkpoint. Best effort past
   * the create: a sandbox still going (or a watch or read that failed) answers its latest state
   * without lines. Idempotent under retry, as the create is.
   */
  @ActivityMethod
  CreatedSandbox createAndAwaitEnd(CreateSandboxRequest request, LogRequest capture);

  /**
   * Waits, heartbeating, until every volume these mounts name is ready; false when one is still
   * pending after a bounded wait (call again). Fails as an invalid spec, naming the mount, when a
   * volume does not exist or failed.
   */
  @ActivityMethod
  boolean awaitVolumes(java.util.Map<String, String> mounts);

  /**
   * Waits, heartbeating, until the sandbox's phase differs from {@code known}, and returns the
   * new state; returns the unchanged state after a bounded wait so the caller can loop.
   */
  @ActivityMethod
  RuntimeState awaitChange(String name, SandboxPhase known);

  /** Runs one command in the running sandbox. A non-zero exit code is a result. */
  @ActivityMethod
  ExecResult exec(String name, ExecRequest request);

  /**
   * Reads an exec's output from an offset, waiting up to the request's wait for new output.
   * Idempotent: the same offset gives the same output.
   */
  @ActivityMethod
  ExecOutputChunk execOutput(String name, ExecOutputRequest request);

  /** Reads the sandbox's recent output; works after the main process exited. */
  @ActivityMethod
  LogChunk logs(String name, LogRequest request);

  /** Deletes the sandbox's runtime objects; succeeds when they are already gone. */
  @ActivityMethod
  void delete(String name);

  /** The most characters of log text a sandbox keeps after its runtime object is gone. */
  int CAPTURE_MAX_CHARS = 256 * 1024;

  /**
   * The way out of every sandbox, in one call: reads its last {@code request} lines of output
   * (at most {@link #CAPTURE_MAX_CHARS} characters), then deletes its runtime objects, and
   * returns the lines. Idempotent under retry and loses nothing: the lines are checkpointed (as
   * heartbeat details) before the delete, so an attempt that follows a worker lost after the
   * delete returns them instead of reading a sandbox that is gone. Lines that cannot be read
   * after a few attempts (or of a sandbox already gone) are given up as empty; the delete is not.
   */
  @ActivityMethod
  LogChunk captureAndDelete(String name, LogRequest request);
}
