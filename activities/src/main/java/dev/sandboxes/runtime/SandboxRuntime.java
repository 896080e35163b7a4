package dev.sandboxes.runtime;

import dev.sandboxes.activity.SandboxOwner;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import java.time.Duration;

/**
 * The platform boundary: everything the activities need from a place that runs sandboxes.
 * Implementations know nothing of Temporal; the activities translate their exceptions.
 *
 * <p>Errors: {@link dev.sandboxes.model.InvalidSpecException} for bad input,
 * {@link dev.sandboxes.model.SandboxNotFoundException} when the sandbox does not exist,
 * {@link PlatformException} for the platform's own failures (with whether a retry may help).
 * Every method is safe to call again after a failure or a crash, except {@link #exec}, which
 * runs the command again.
 */
public interface SandboxRuntime extends AutoCloseable {

  /** {@code kubernetes} or {@code local}. */
  String kind();

  /**
   * Creates the sandbox named {@code spec.name()}. Idempotent by name: when the object already
   * exists and belongs to {@code owner} its current state is returned; when it belongs to
   * someone else, {@link PlatformException} of type {@code SandboxNameConflict} is thrown.
   */
  RuntimeState create(SandboxSpec spec, SandboxOwner owner);

  /** The sandbox's current state. */
  RuntimeState inspect(String name);

  /**
   * Blocks until the sandbox's phase differs from {@code known} or {@code maxWait} has passed,
   * then returns the current state (unchanged on timeout). Waits on a watch, never by polling.
   */
  RuntimeState awaitChange(String name, SandboxPhase known, Duration maxWait)
      throws InterruptedException;

  /**
   * Runs a command in the running sandbox. Drains stdout and stderr to the end, keeps at most
   * the configured cap of each (flagging truncation) and gives up after the request's timeout
   * with {@code timedOut} set.
   */
  ExecResult exec(String name, ExecRequest request) throws InterruptedException;

  /** Recent output of the main process; readable after it exited, until {@link #delete}. */
  LogChunk logs(String name, LogRequest request);

  /** Deletes the sandbox's objects; returns normally when they are already gone. */
  void delete(String name);

  /** Creates a volume, or returns the existing one of that name. */
  VolumeState createVolume(String name, VolumeSpec spec);

  /** The volume's current state; {@link dev.sandboxes.model.SandboxNotFoundException} if absent. */
  VolumeState inspectVolume(String name);

  /** Deletes a volume and its data; returns normally when it is already gone. */
  void deleteVolume(String name);

  @Override
  default void close() {}
}
