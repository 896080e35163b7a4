package dev.sandboxes.client;

import com.google.protobuf.ByteString;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SearchAttributesMissingException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** What the sandbox and volume clients share: typed errors and listing with or without visibility queries. */
final class ClientCalls {
  private ClientCalls() {}

  /** Runs a client call, turning Temporal's failures into the model's typed exceptions. */
  static <T> T call(String notFoundMessage, Supplier<T> action) {
    try {
      return action.get();
    } catch (WorkflowNotFoundException e) {
      throw new SandboxNotFoundException(notFoundMessage);
    } catch (WorkflowUpdateException e) {
      throw typed(e.getCause(), e);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new SandboxNotFoundException(notFoundMessage);
      }
      throw e;
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof CanceledFailure) {
        throw e;
      }
      throw typed(e.getCause(), e);
    } catch (io.temporal.client.WorkflowException e) {
      throw typed(e.getCause(), e);
    }
  }

  /**
   * Runs a workflow start (or update-with-start): a start the server refuses because the
   * namespace lacks a sandbox search attribute becomes {@link SearchAttributesMissingException},
   * naming it and the command that registers it, instead of the server's INVALID_ARGUMENT.
   */
  static <T> T starting(WorkflowClient client, Supplier<T> start) {
    try {
      return start.get();
    } catch (RuntimeException e) {
      java.util.Optional<SearchAttributesMissingException> missing =
          SearchAttributeSetup.explain(e, client.getOptions().getNamespace());
      if (missing.isPresent()) {
        missing.get().initCause(e);
        throw missing.get();
      }
      throw e;
    }
  }

  /** The typed error behind a Temporal failure; validators' rejections arrive wrapped. */
  static RuntimeException typed(Throwable cause, RuntimeException original) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String type = t instanceof ApplicationFailure app ? SandboxErrors.typeOf(app.getType()) : null;
      if (type != null) {
        String message = ((ApplicationFailure) t).getOriginalMessage();
        return SandboxErrors.NOT_FOUND.equals(type)
            ? new SandboxNotFoundException(message)
            : new SandboxException(type, message, original);
      }
    }
    return original;
  }

  /**
   * Executions selected by a visibility query; on a server without list queries (Temporal's test
   * server) the open (and, with {@code includeClosed}, closed) executions that {@code fallback}
   * accepts, each described for its search attributes (the plain lists carry none).
   */
  static List<WorkflowExecutionMetadata> list(WorkflowClient client, String query,
      Predicate<WorkflowExecutionInfo> fallback, boolean includeClosed) {
    return list(client, query, fallback, includeClosed, java.util.function.Function.identity());
  }

  /**
   * As {@link #list(WorkflowClient, String, Predicate, boolean)}, each execution turned into a row
   * by {@code row} as soon as it is there (while the next page, or the next Describe, is on its way).
   */
  static <T> List<T> list(WorkflowClient client, String query, Predicate<WorkflowExecutionInfo> fallback,
      boolean includeClosed, java.util.function.Function<WorkflowExecutionMetadata, T> row) {
    try {
      return client.listExecutions(query).map(row).toList();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
    }
    String namespace = client.getOptions().getNamespace();
    var stub = client.getWorkflowServiceStubs().blockingStub();
    Set<String> ids = new LinkedHashSet<>();
    ByteString token = ByteString.EMPTY;
    do {
      var page = stub.listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
          .setNamespace(namespace).setMaximumPageSize(1000).setNextPageToken(token).build());
      page.getExecutionsList().stream().filter(fallback).forEach(e -> ids.add(e.getExecution().getWorkflowId()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    while (includeClosed) {
      var page = stub.listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder()
          .setNamespace(namespace).setMaximumPageSize(1000).setNextPageToken(token).build());
      page.getExecutionsList().stream().filter(fallback).forEach(e -> ids.add(e.getExecution().getWorkflowId()));
      token = page.getNextPageToken();
      if (token.isEmpty()) {
        break;
      }
    }
    // Describe gives the latest run of each ID with its search attributes
    return describeAll(client, List.copyOf(ids), row);
  }

  /** The call's answer, or null when it failed. */
  private static <T> T answerOrNull(java.util.concurrent.Future<T> call) {
    try {
      return call.get();
    } catch (java.util.concurrent.ExecutionException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing workflows", e);
    }
  }

  /** How many of {@link #describeAll}'s Describe calls are in flight at once. */
  static final int DESCRIBES_AT_ONCE = 64;

  /**
   * The latest run of each workflow ID, described through the asynchronous stub, {@link
   * #DESCRIBES_AT_ONCE} at a time, in {@code ids}' order (one blocking call after another, a
   * hundred rows took half a second on a local server, more in a CLI's cold JVM).
   */
  private static <T> List<T> describeAll(WorkflowClient client, List<String> ids,
      java.util.function.Function<WorkflowExecutionMetadata, T> row) {
    var stub = client.getWorkflowServiceStubs().futureStub();
    String namespace = client.getOptions().getNamespace();
    List<T> described = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += DESCRIBES_AT_ONCE) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + DESCRIBES_AT_ONCE));
      List<com.google.common.util.concurrent.ListenableFuture<DescribeWorkflowExecutionResponse>> pending = new ArrayList<>();
      for (String id : batch) {
        pending.add(stub.describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace(namespace).setExecution(WorkflowExecution.newBuilder().setWorkflowId(id)).build()));
      }
      for (int i = 0; i < batch.size(); i++) {
        DescribeWorkflowExecutionResponse answer = answerOrNull(pending.get(i));
        // a call that failed is made again the SDK's way (its retries, its typed errors)
        described.add(row.apply(answer != null
            ? new WorkflowExecutionDescription(answer, client.getOptions().getDataConverter())
            : client.newUntypedWorkflowStub(batch.get(i)).describe()));
      }
    }
    return described;
  }
}
