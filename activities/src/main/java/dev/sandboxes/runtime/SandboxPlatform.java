package dev.sandboxes.runtime;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import java.time.Duration;

/**
 * What a runtime does for sandboxes: create, observe, exec, logs and delete, by name. Part of
 * {@link SandboxRuntime}; errors as described there. Behind {@link ComposedRuntime} its input
 * is valid (the spec or request follows its model's rules, the spec has a name); ownership
 * follows {@link Ownership}.
 */
public interface SandboxPlatform {
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
   * with {@code timedOut} set. Where {@link #reattaches} is true, a request with an ID runs its
   * command at most once: the same request under the same ID again returns that exec's result
   * (waiting for it if it still runs) without running the command again.
   */
  ExecResult exec(String name, ExecRequest request) throws InterruptedException;

  /**
   * Exec {@code request.execId()}'s output from {@code request.offset()}: returns when there is
   * new output, or after the request's wait with none. Where {@link #reattaches} is false the
   * runtime keeps no exec output, and this is refused ({@code SandboxRuntimeRejected}).
   */
  default ExecOutputChunk execOutput(String name, ExecOutputRequest request) throws InterruptedException {
    throw new PlatformException(SandboxErrors.RUNTIME_REJECTED, false, "sandbox " + name
        + " does not keep its execs' output (it runs without the in-sandbox agent): an exec's "
        + "output comes with its result", null);
  }

  /**
   * Whether the sandbox keeps its execs by ID, so that {@link #exec} with a used ID re-attaches
   * (even from another worker, after the first one was lost). False by default.
   */
  default boolean reattaches(String name) {
    return false;
  }

  /** Recent output of the main process; readable after it exited, until {@link #delete}. */
  LogChunk logs(String name, LogRequest request);

  /** Deletes the sandbox's objects; returns normally when they are already gone. */
  void delete(String name);
}
