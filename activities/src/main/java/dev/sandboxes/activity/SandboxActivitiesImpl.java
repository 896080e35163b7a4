package dev.sandboxes.activity;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.SandboxRuntime;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * The one implementation of {@link SandboxActivities}, over any {@link SandboxRuntime}. It does
 * the Temporal side once for every runtime: heartbeats during long waits (which is also how a
 * cancellation reaches it) and the mapping of runtime errors to typed {@link ApplicationFailure}s,
 * retryable only where a retry can help.
 */
public class SandboxActivitiesImpl implements SandboxActivities {
  /** How long one awaitChange call waits before returning the unchanged state. */
  static final Duration DEFAULT_AWAIT_SLICE = Duration.ofMinutes(10);
  /** How often a waiting awaitChange heartbeats (well inside the 30 s heartbeat timeout). */
  static final Duration DEFAULT_HEARTBEAT_EVERY = Duration.ofSeconds(10);

  private final SandboxRuntime runtime;
  private final Duration awaitSlice;
  private final Duration heartbeatEvery;

  public SandboxActivitiesImpl(SandboxRuntime runtime) {
    this(runtime, DEFAULT_AWAIT_SLICE, DEFAULT_HEARTBEAT_EVERY);
  }

  public SandboxActivitiesImpl(SandboxRuntime runtime, Duration awaitSlice, Duration heartbeatEvery) {
    this.runtime = runtime;
    this.awaitSlice = awaitSlice;
    this.heartbeatEvery = heartbeatEvery;
  }

  @Override
  public RuntimeState create(CreateSandboxRequest request) {
    return call(() -> runtime.create(request.spec(), request.owner()));
  }

  @Override
  public RuntimeState awaitChange(String name, SandboxPhase known) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Instant deadline = Instant.now().plus(awaitSlice);
    return call(() -> {
      while (true) {
        Duration left = Duration.between(Instant.now(), deadline);
        Duration wait = left.compareTo(heartbeatEvery) < 0 ? left : heartbeatEvery;
        RuntimeState state = runtime.awaitChange(name, known, wait.isNegative() ? Duration.ZERO : wait);
        if (state.phase() != known || !Instant.now().isBefore(deadline)) {
          return state;
        }
        // Throws ActivityCompletionException once the workflow cancelled this wait.
        context.heartbeat(state.phase());
      }
    });
  }

  @Override
  public ExecResult exec(String name, ExecRequest request) {
    return call(() -> runtime.exec(name, request.validated()));
  }

  @Override
  public LogChunk logs(String name, LogRequest request) {
    return call(() -> runtime.logs(name, request.validated()));
  }

  @Override
  public void delete(String name) {
    call(() -> {
      runtime.delete(name);
      return null;
    });
  }

  private static <T> T call(Callable<T> action) {
    try {
      return action.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    } catch (InvalidSpecException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.type(),
          e.violations().stream().map(Object::toString).toList());
    } catch (PlatformException e) {
      throw e.retryable()
          ? ApplicationFailure.newFailureWithCause(e.getMessage(), e.type(), e.getCause())
          : ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), e.type(), e.getCause());
    } catch (SandboxException e) {
      // Not found, not running: the state of the world, which a retry will not change.
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.type());
    } catch (RuntimeException e) {
      if (e instanceof io.temporal.client.ActivityCompletionException) {
        throw e;
      }
      throw ApplicationFailure.newFailureWithCause(
          String.valueOf(e.getMessage()), SandboxErrors.RUNTIME_UNAVAILABLE, e);
    } catch (Exception e) {
      throw Activity.wrap(e);
    }
  }
}
