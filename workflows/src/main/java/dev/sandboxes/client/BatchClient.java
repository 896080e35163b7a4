package dev.sandboxes.client;

import dev.sandboxes.batch.BatchChunkWorkflow;
import dev.sandboxes.batch.BatchPresentation;
import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchRequest;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.BatchWorkflow;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.model.NameAlreadyUsedException;
import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.CanceledFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Batches from outside workflows: start, progress, results, cancel. */
public final class BatchClient {
  private final WorkflowClient client;
  private final String taskQueue;

  /** A client that starts batches through {@code client} on {@code taskQueue}. */
  public BatchClient(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /** A client that starts batches through {@code client} on {@link TaskQueues#DEFAULT}. */
  public BatchClient(WorkflowClient client) {
    this(client, TaskQueues.DEFAULT);
  }

  /** Starts a batch and returns its name (generated {@code batch-…} when the spec has none). */
  public String start(BatchSpec spec) {
    BatchSpec named = spec.name() != null ? spec
        : spec.withName("batch-" + SandboxNames.generate(UUID.randomUUID()).substring(4, 12));
    named.validated();
    BatchWorkflow stub = client.newWorkflowStub(BatchWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.batchWorkflowId(named.name()))
        .setTaskQueue(taskQueue)
        // item sandboxes are named after the batch: a batch name is never reused either
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(BatchPresentation.initialSearchAttributes())
        .setStaticSummary(BatchPresentation.staticSummary(named))
        .build());
    try {
      ClientCalls.starting(client, () -> WorkflowClient.start(stub::run, BatchRequest.of(named)));
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new NameAlreadyUsedException(named.name());
    }
    return named.name();
  }

  /** Counts so far: the finished chunks' and the running chunk's. */
  public BatchProgress progress(String name) {
    BatchWorkflow batch = stub(name);
    BatchProgress done = call(name, batch::progress);
    int current = call(name, batch::currentChunk);
    if (current < 0) {
      return done;
    }
    try {
      return done.plus(chunk(name, current).progress());
    } catch (RuntimeException e) {
      return done; // the chunk closed between the two queries; its counts are in the next read
    }
  }

  /** Waits at most {@code timeout} for the batch to finish; empty while it runs. */
  public Optional<BatchProgress> awaitDone(String name, Duration timeout) {
    dev.sandboxes.model.WaitTimeouts.valid("timeout", timeout);
    try {
      return Optional.ofNullable(call(name, () -> {
        try {
          return client.newUntypedWorkflowStub(WorkflowIds.batchWorkflowId(name))
              .getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, BatchProgress.class);
        } catch (TimeoutException e) {
          return null;
        }
      }));
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof CanceledFailure) {
        return Optional.of(progress(name));
      }
      throw e;
    }
  }

  /** Every item's result so far, in index order, read from the batch's chunks. */
  public List<ItemResult> results(String name) {
    BatchProgress progress = progress(name);
    List<ItemResult> all = new ArrayList<>(progress.total());
    for (int k = 0; k < progress.chunks(); k++) {
      try {
        all.addAll(chunk(name, k).results().items());
      } catch (io.temporal.client.WorkflowNotFoundException e) {
        // a chunk started by a run that has not reached the server yet
      }
    }
    return all;
  }

  /** Cancels the batch: its running items' sandboxes are terminated, no more start. */
  public void cancel(String name) {
    call(name, () -> {
      client.newUntypedWorkflowStub(WorkflowIds.batchWorkflowId(name)).cancel();
      return null;
    });
  }

  private BatchWorkflow stub(String name) {
    return client.newWorkflowStub(BatchWorkflow.class, WorkflowIds.batchWorkflowId(name));
  }

  private BatchChunkWorkflow chunk(String name, int k) {
    return client.newWorkflowStub(BatchChunkWorkflow.class, WorkflowIds.batchChunkWorkflowId(name, k));
  }

  /** Refuses a malformed name before asking the server: it cannot name a batch. */
  private static <T> T call(String name, java.util.function.Supplier<T> action) {
    BatchSpec.validName(name);
    return ClientCalls.call("no batch named \"" + name + "\"", action);
  }
}
