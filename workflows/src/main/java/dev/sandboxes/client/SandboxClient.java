package dev.sandboxes.client;

import dev.sandboxes.Conventions;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.NameAlreadyUsedException;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.workflow.SandboxPresentation;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.SandboxWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.CanceledFailure;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.util.UUID;

/**
 * Sandboxes from outside workflows (applications, the CLI, tests). Errors arrive as the typed
 * {@link SandboxException}s of the model, whichever side raised them.
 */
public final class SandboxClient {
  private final WorkflowClient client;
  private final String taskQueue;

  public SandboxClient(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  public SandboxClient(WorkflowClient client) {
    this(client, Conventions.DEFAULT_TASK_QUEUE);
  }

  public WorkflowClient workflowClient() {
    return client;
  }

  /**
   * Starts a sandbox and returns its name (generated when the spec has none). Throws
   * {@link InvalidSpecException} for a bad spec and {@link NameAlreadyUsedException} when the
   * name was used before, even by a sandbox that has ended.
   */
  public String start(SandboxSpec spec) {
    SandboxSpec named = spec.name() != null ? spec : spec.withName(SandboxNames.generate(UUID.randomUUID()));
    named.validated();
    SandboxWorkflow stub = client.newWorkflowStub(SandboxWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(Conventions.sandboxWorkflowId(named.name()))
        .setTaskQueue(taskQueue)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(SandboxPresentation.initialSearchAttributes(named))
        .setStaticSummary(SandboxPresentation.staticSummary(named))
        .build());
    try {
      WorkflowClient.start(stub::run, SandboxRequest.of(named));
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new NameAlreadyUsedException(named.name());
    }
    return named.name();
  }

  /** The current status; works after the sandbox's workflow closed. */
  public SandboxStatus describe(String name) {
    return call(name, () -> stub(name).describe());
  }

  /** Runs a command in the running sandbox. */
  public ExecResult exec(String name, ExecRequest request) {
    request.validated();
    return call(name, () -> stub(name).exec(request));
  }

  /** Recent output, live while the sandbox runs and from its captured tail after it closed. */
  public LogChunk logs(String name, LogRequest request) {
    request.validated();
    if (!closed(name)) {
      try {
        return call(name, () -> stub(name).logs(request));
      } catch (SandboxException e) {
        if (!closed(name)) {
          throw e;
        }
      }
    }
    return result(name).logs().select(request);
  }

  /** Terminates the sandbox and returns once its pod is gone; idempotent. */
  public SandboxStatus terminate(String name, String reason) {
    if (closed(name)) {
      return describe(name);
    }
    try {
      return call(name, () -> stub(name).terminate(reason));
    } catch (SandboxException e) {
      if (closed(name)) {
        return describe(name);
      }
      throw e;
    }
  }

  /** Waits for the sandbox to finish and returns its result. */
  public SandboxResult result(String name) {
    try {
      return call(name, () -> untyped(name).getResult(SandboxResult.class));
    } catch (WorkflowFailedException e) {
      if (!(e.getCause() instanceof CanceledFailure)) {
        throw e;
      }
      // Temporal keeps no return value for a cancelled workflow; its state answers queries.
      return call(name, () -> stub(name).result());
    }
  }

  private boolean closed(String name) {
    return call(name, () -> untyped(name).describe().getWorkflowExecutionInfo().hasCloseTime());
  }

  private SandboxWorkflow stub(String name) {
    return client.newWorkflowStub(SandboxWorkflow.class, Conventions.sandboxWorkflowId(name));
  }

  private WorkflowStub untyped(String name) {
    return client.newUntypedWorkflowStub(Conventions.sandboxWorkflowId(name));
  }

  private static <T> T call(String name, java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (WorkflowNotFoundException e) {
      throw new SandboxNotFoundException("no sandbox named \"" + name + "\"");
    } catch (WorkflowUpdateException e) {
      throw typed(e.getCause(), e);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new SandboxNotFoundException("no sandbox named \"" + name + "\"");
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

  /** The typed error behind a Temporal failure; validators' rejections arrive wrapped. */
  private static RuntimeException typed(Throwable cause, RuntimeException original) {
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
}
