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
 * word. Every {@link #CHECK_EVERY} the task queue is described (DescribeTaskQueue): when no
 * worker has polled it for {@link #NO_WORKER_AFTER}, the call is given up with a
 * {@link SandboxErrors#NO_WORKER} error naming the task queue. The server records when each
 * worker's poll began, and a live worker polls continuously (each long poll lasts at most about a
 * minute, then it polls again), so an idle live worker's record may just reach a minute: the
 * record must be that old at two checks in a row. A worker that died is therefore noticed
 * {@code NO_WORKER_AFTER} + one or two {@code CHECK_EVERY} after its last poll began, which is at
 * most a minute before it died: about 70 s after the death at best, at most about 2 min 20 s.
 * A server that cannot describe task queues (Temporal's Java test server) is taken to be served;
 * a task queue no worker has polled for some minutes (the server forgets pollers after about
 * five) counts as unserved.
 */
final class WorkerWatch {
  /** How long without a poll before the task queue counts as unserved. */
  static final Duration NO_WORKER_AFTER = Duration.ofSeconds(60);
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
   * only once the call has waited {@link #CHECK_EVERY}); throws
   * what it throws, or a {@link SandboxErrors#NO_WORKER} error (the call interrupted) once no worker
   * serves the task queue. {@code what} names the call in that error.
   */
  <T> T await(Supplier<String> taskQueue, String what, Supplier<T> call) {
    // a task that an interrupt ends: a blocking gRPC call cancels itself when interrupted
    Future<T> running = CALLS.submit(call::get);
    int staleChecks = 0;
    while (true) {
      try {
        return running.get(checkEvery.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        String queue = taskQueue.get();
        Instant lastPoll = lastPoll(queue);
        boolean stale = lastPoll != null && lastPoll.isBefore(Instant.now().minus(noWorkerAfter));
        staleChecks = stale ? staleChecks + 1 : 0;
        // twice in a row: an idle worker's record ages to a minute before its next long poll renews it
        if (staleChecks >= 2) {
          running.cancel(true);
          throw new SandboxException(SandboxErrors.NO_WORKER, what + ": no worker is serving task queue \""
              + queue + "\" (none has polled it for " + noWorkerAfter.toSeconds() + " s); start one "
              + "(sandbox worker) or check the ones running. What was asked may still happen when a worker "
              + "comes back");
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException failure) {
          throw failure;
        }
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        running.cancel(true);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
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
