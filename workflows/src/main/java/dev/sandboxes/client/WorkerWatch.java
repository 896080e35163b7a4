package dev.sandboxes.client;

import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Waits for a call that only a worker can answer (an exec, a wait, a terminate) while watching
 * that some worker still serves the workflow's task queue. A call to a workflow whose workers
 * are all gone is accepted by the server and then waits for a worker that never comes: without
 * this, a client waited for as long as its call's own deadline, ten minutes and more, with no
 * word.
 *
 * <p>Every {@link #CHECK_EVERY} the task queue is described (DescribeTaskQueue, workflow tasks):
 * the server records when each worker's latest poll began, and a live worker polls continuously
 * (each long poll lasts at most about a minute, then it polls again), so that record changes at
 * least once a minute while any worker lives. When it has not changed for {@link #NO_WORKER_AFTER}
 * as this client's own monotonic clock measures it (never comparing the server's clock with this
 * host's), the call is given up with a {@link SandboxErrors#NO_WORKER} error naming the task queue:
 * at most about 90 s after the last worker died or the call began waiting, whichever is later.
 * No pollers on record (never polled, or forgotten: the server keeps them about five minutes)
 * counts as a record that does not change. A server that cannot describe task queues (Temporal's
 * Java test server), and a check that fails, leave the call waiting as before.
 */
final class WorkerWatch {
  /** How long the task queue's latest poll may stay the same before no worker counts as serving it. */
  static final Duration NO_WORKER_AFTER = Duration.ofSeconds(70);
  /** How often the task queue is described while a call waits. */
  static final Duration CHECK_EVERY = Duration.ofSeconds(10);

  private static final ExecutorService CALLS = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "sandbox-client-call");
    thread.setDaemon(true);
    return thread;
  });

  private final WorkflowClient client;
  private final Duration noWorkerAfter;
  private final Duration checkEvery;

  WorkerWatch(WorkflowClient client) {
    this(client, NO_WORKER_AFTER, CHECK_EVERY);
  }

  WorkerWatch(WorkflowClient client, Duration noWorkerAfter, Duration checkEvery) {
    this.client = client;
    this.noWorkerAfter = noWorkerAfter;
    this.checkEvery = checkEvery;
  }

  /**
   * The answer of {@code call}, which waits for a worker of {@code taskQueue}'s workflows (asked for
   * once, when the call has waited {@link #CHECK_EVERY}); throws what it throws, or a
   * {@link SandboxErrors#NO_WORKER} error once no worker serves the task queue. {@code what} names
   * the call in that error. The call runs on a thread of its own (with the caller's gRPC context)
   * and is interrupted, which cancels a blocking gRPC call, whenever this returns without its answer.
   */
  <T> T await(Supplier<String> taskQueue, String what, Supplier<T> call) {
    Future<T> running = CALLS.submit(io.grpc.Context.current().wrap(call::get));
    boolean answered = false;
    try {
      String queue = null;
      Instant seen = null;
      long seenSince = 0;
      while (true) {
        try {
          T answer = running.get(checkEvery.toMillis(), TimeUnit.MILLISECONDS);
          answered = true;
          return answer;
        } catch (TimeoutException e) {
          try {
            queue = queue != null ? queue : taskQueue.get();
            Instant latest = lastPoll(queue);
            if (latest == null) {
              continue; // the server cannot tell
            }
            if (!latest.equals(seen)) {
              seen = latest;
              seenSince = System.nanoTime();
            } else if (System.nanoTime() - seenSince >= noWorkerAfter.toNanos()) {
              throw new SandboxException(SandboxErrors.NO_WORKER, what + ": no worker is serving task queue \""
                  + queue + "\" (none has polled it for " + noWorkerAfter.toSeconds() + " s); start one "
                  + "(sandbox worker) or check the ones running. What was asked may still happen when a worker "
                  + "comes back");
            }
          } catch (SandboxException noWorker) {
            throw noWorker;
          } catch (RuntimeException cannotTell) {
            // the check failed (the server busy, the workflow gone): the call's own wait stands
          }
        } catch (ExecutionException e) {
          answered = true;
          if (e.getCause() instanceof RuntimeException failure) {
            throw failure;
          }
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          java.util.concurrent.CancellationException interrupted =
              new java.util.concurrent.CancellationException(what + ": interrupted while waiting");
          interrupted.initCause(e);
          throw interrupted;
        }
      }
    } finally {
      if (!answered) {
        running.cancel(true);
      }
    }
  }

  /**
   * When a worker last polled {@code taskQueue} for workflow tasks: the epoch when none is on
   * record (the server keeps pollers for some minutes), null when the server cannot tell.
   */
  Instant lastPoll(String taskQueue) {
    try {
      var pollers = client.getWorkflowServiceStubs().blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
          .describeTaskQueue(DescribeTaskQueueRequest.newBuilder()
              .setNamespace(client.getOptions().getNamespace())
              .setTaskQueue(TaskQueue.newBuilder().setName(taskQueue))
              .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
              .build())
          .getPollersList();
      Instant last = Instant.EPOCH;
      for (PollerInfo poller : pollers) {
        Instant at = Instant.ofEpochSecond(poller.getLastAccessTime().getSeconds(), poller.getLastAccessTime().getNanos());
        last = at.isAfter(last) ? at : last;
      }
      return last;
    } catch (StatusRuntimeException e) {
      return null; // no answer: the call's own wait stands
    }
  }
}
