package dev.sandboxes.client;

import dev.sandboxes.workflow.ExecOutputWorkflow;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.OutputPiece;
import dev.sandboxes.model.SearchAttributesMissingException;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowUpdateHandle;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Consumer;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.NameAlreadyUsedException;
import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.WaitTimeouts;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.SandboxPresentation;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.SandboxWorkflow;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.CanceledFailure;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.SearchAttributes;
import dev.sandboxes.model.SandboxPhase;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sandboxes from outside workflows (applications, the CLI, tests). Errors arrive as the typed
 * {@link SandboxException}s of the model, whichever side raised them.
 */
public final class SandboxClient {
  private static final String SANDBOX_WORKFLOW_TYPE = "Sandbox";
  /** The longest termination reason. */
  public static final int MAX_REASON = 1024;

  private final WorkflowClient client;
  private final String taskQueue;

  /** A client that starts sandboxes through {@code client} on {@code taskQueue}. */
  public SandboxClient(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /** A client that starts sandboxes through {@code client} on {@link TaskQueues#DEFAULT}. */
  public SandboxClient(WorkflowClient client) {
    this(client, TaskQueues.DEFAULT);
  }

  /** The Temporal client this one calls through. */
  public WorkflowClient workflowClient() {
    return client;
  }

  /**
   * Starts a sandbox and returns its name (generated when the spec has none). Throws
   * {@link InvalidSpecException} for a bad spec and {@link NameAlreadyUsedException} when the
   * name was used before, even by a sandbox that has ended.
   */
  public String start(SandboxSpec spec) {
    SandboxSpec named = checked(spec);
    SandboxWorkflow stub = client.newWorkflowStub(SandboxWorkflow.class, startOptions(named).build());
    try {
      ClientCalls.starting(client, () -> WorkflowClient.start(stub::run, SandboxRequest.of(named)));
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new NameAlreadyUsedException(named.name());
    }
    return named.name();
  }

  /**
   * Starts a sandbox and waits until it runs or has ended, at most {@code timeout}: what
   * {@link #start} and then {@link #awaitRunning} do, in one request to the server
   * (update-with-start), whose wait reaches the workflow in its first task, so a sandbox that
   * takes a warm pool's pod answers one workflow task sooner. Throws as {@link #start} does.
   *
   * @return the status then; its {@code name} is the sandbox's (generated when the spec has none)
   */
  public SandboxStatus startAndAwaitRunning(SandboxSpec spec, Duration timeout) {
    WaitTimeouts.valid("timeout", timeout);
    SandboxSpec named = checked(spec);
    // a running workflow of that ID is a used name too (the reuse policy covers closed ones)
    SandboxWorkflow stub = client.newWorkflowStub(SandboxWorkflow.class, startOptions(named)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL).build());
    try {
      return ClientCalls.starting(client, () -> ClientCalls.call("no sandbox named \"" + named.name() + "\"",
          () -> WorkflowClient.executeUpdateWithStart(stub::awaitRunning, timeout,
              UpdateOptions.<SandboxStatus>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
              new WithStartWorkflowOperation<>(stub::run, SandboxRequest.of(named)))));
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new NameAlreadyUsedException(named.name());
    } catch (io.temporal.client.WorkflowServiceException e) {
      // a refused start of an update-with-start arrives as the start's gRPC status
      if (e.getCause() instanceof io.grpc.StatusRuntimeException status
          && status.getStatus().getCode() == io.grpc.Status.Code.ALREADY_EXISTS) {
        throw new NameAlreadyUsedException(named.name());
      }
      throw e;
    } catch (SearchAttributesMissingException e) {
      throw e; // nothing started
    } catch (SandboxException e) {
      return finalStatusOr(named.name(), e);
    }
  }

  /** {@code spec} named (a generated name when it has none), validated, its volumes checked. */
  private SandboxSpec checked(SandboxSpec spec) {
    SandboxSpec named = spec.name() != null ? spec : spec.withName(SandboxNames.generate(UUID.randomUUID()));
    named.validated();
    requireVolumes(named);
    return named;
  }

  private WorkflowOptions.Builder startOptions(SandboxSpec named) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.sandboxWorkflowId(named.name()))
        .setTaskQueue(taskQueue)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(SandboxPresentation.initialSearchAttributes(named))
        .setStaticSummary(SandboxPresentation.staticSummary(named));
  }

  /**
   * Refuses, before the name is spent, a spec that mounts a volume that does not exist (its
   * workflow {@code volume/<name>} is not open). The sandbox's create checks again, on the platform.
   */
  private void requireVolumes(SandboxSpec spec) {
    List<Violation> missing = new ArrayList<>();
    spec.volumeMounts().forEach((path, volume) -> {
      boolean open;
      try {
        open = !client.newUntypedWorkflowStub(WorkflowIds.volumeWorkflowId(volume)).describe()
            .getWorkflowExecutionInfo().hasCloseTime();
      } catch (io.temporal.client.WorkflowNotFoundException e) {
        open = false;
      }
      if (!open) {
        missing.add(new Violation("volumeMounts[\"" + path + "\"]", "no volume named \"" + volume
            + "\"; create it first (sandbox volume create " + volume + ")"));
      }
    });
    if (!missing.isEmpty()) {
      throw new InvalidSpecException("sandbox spec", missing);
    }
  }

  /** The current status; works after the sandbox's workflow closed. */
  public SandboxStatus describe(String name) {
    return call(name, () -> stub(name).describe());
  }

  /** Runs a command in the running sandbox. */
  public ExecResult exec(String name, ExecRequest request) {
    request.validated();
    try {
      return call(name, () -> stub(name).exec(request));
    } catch (SandboxNotFoundException e) {
      // An update to a closed workflow reads as "not found"; the sandbox exists but has ended.
      throw new SandboxNotRunningException(name, "exec", describe(name).phase());
    }
  }

  /** How long one read of a streamed exec's output waits for new output. */
  static final Duration STREAM_WAIT = Duration.ofSeconds(20);

  /**
   * Runs a command and hands its output to {@code output} as the command writes it (stdout and
   * stderr pieces in order), then returns the result, whose output is the same, up to the cap.
   * The exec's ID ({@link ExecRequest#id}, or a new one) is also its update's ID; the output is
   * read by {@link #execOutput}, each read returning as soon as new output is there. Where
   * the sandbox keeps no exec output (no in-sandbox agent), the output is handed over when the
   * command has ended, from its result.
   */
  public ExecResult exec(String name, ExecRequest request, Consumer<OutputPiece> output) {
    ExecRequest identified = identified(request);
    String execId = identified.id();
    WorkflowUpdateHandle<ExecResult> running = startExecUpdate(name, identified);
    // bytes of each stream handed on: a read that fails leaves the rest to the result
    long[] handed = new long[2];
    Consumer<OutputPiece> counted = piece -> {
      handed[piece.stream().ordinal()] += piece.data().length;
      output.accept(piece);
    };
    long offset = 0;
    while (true) {
      ExecOutputChunk chunk;
      try {
        chunk = execOutput(name, new ExecOutputRequest(execId, offset, STREAM_WAIT));
      } catch (SandboxException e) {
        // the exec failed before it ran (its ID in use, the sandbox ended), or the reads fail:
        // either way the exec's own result (or failure) is the answer
        break;
      }
      if (chunk.unavailable()) {
        break; // no agent: the output comes with the result
      }
      if (chunk.pieces().isEmpty() && running.getResultAsync().isCompletedExceptionally()) {
        break; // the exec failed and nothing more comes
      }
      chunk.pieces().forEach(counted);
      offset = chunk.nextOffset();
      if (chunk.ended()) {
        return call(name, running::getResult);
      }
    }
    ExecResult result = call(name, running::getResult);
    handRest(output, OutputPiece.Stream.STDOUT, result.stdout(), handed[0]);
    handRest(output, OutputPiece.Stream.STDERR, result.stderr(), handed[1]);
    return result;
  }

  /** Hands on what {@code text} holds past the first {@code handed} bytes of its stream. */
  private static void handRest(Consumer<OutputPiece> output, OutputPiece.Stream stream, String text, long handed) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (handed < bytes.length) {
      output.accept(new OutputPiece(stream, java.util.Arrays.copyOfRange(bytes, (int) handed, bytes.length)));
    } else if (handed == 0) {
      output.accept(new OutputPiece(stream, bytes)); // an empty stream still says it ended
    }
  }

  /**
   * Starts a command and returns its exec ID once the sandbox accepted it, without waiting for
   * it: follow it with {@link #execOutput} (by that ID, from any offset, from any client), whose
   * last read carries the exit code. The exec's result stays in the sandbox's history.
   */
  public String startExec(String name, ExecRequest request) {
    ExecRequest identified = identified(request);
    startExecUpdate(name, identified);
    return identified.id();
  }

  private static ExecRequest identified(ExecRequest request) {
    return (request.id() != null ? request : request.withId(UUID.randomUUID().toString())).validated();
  }

  /** The exec update, accepted; its ID is the exec's. */
  private WorkflowUpdateHandle<ExecResult> startExecUpdate(String name, ExecRequest identified) {
    try {
      return call(name, () -> untyped(name).startUpdate(UpdateOptions.newBuilder(ExecResult.class)
          .setUpdateName("exec").setUpdateId(identified.id()).setWaitForStage(WorkflowUpdateStage.ACCEPTED)
          .build(), identified));
    } catch (SandboxNotFoundException e) {
      throw new SandboxNotRunningException(name, "exec", describe(name).phase());
    }
  }

  /**
   * An exec's output from {@code request.offset()}, waiting up to its wait for new output: how a
   * client follows an exec (again) by its ID. A short workflow of its own does the read
   * ({@link ExecOutputWorkflow}), so output never enters the sandbox's history. Needs the
   * in-sandbox agent; elsewhere the answer is {@link ExecOutputChunk#unavailable}.
   */
  public ExecOutputChunk execOutput(String name, ExecOutputRequest request) {
    request.validated();
    SandboxNames.valid(name);
    ExecOutputWorkflow read = client.newWorkflowStub(ExecOutputWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue(taskQueue)
        .setWorkflowId(WorkflowIds.execOutputWorkflowId(name, request.execId(), request.offset()))
        // the same read again (a retry, a second follower) joins the one running or starts anew
        .setWorkflowIdReusePolicy(io.temporal.api.enums.v1.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setWorkflowIdConflictPolicy(io.temporal.api.enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .setWorkflowRunTimeout(request.effectiveWait().plus(Duration.ofMinutes(2)))
        .build());
    return call(name, () -> read.read(name, request));
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
    validReason(reason);
    return updateOrFinalStatus(name, sandbox -> sandbox.terminate(reason));
  }

  /**
   * Waits until the sandbox runs or has ended, at most {@code timeout}, and returns its status
   * then. Served by an update that the workflow completes on the phase change: no polling.
   */
  public SandboxStatus awaitRunning(String name, Duration timeout) {
    WaitTimeouts.valid("timeout", timeout);
    return updateOrFinalStatus(name, sandbox -> sandbox.awaitRunning(timeout));
  }

  /**
   * Sends an update that answers with a status. A closed workflow takes no updates: then (also
   * when it closes while the update is in flight) its final status is the answer.
   */
  private SandboxStatus updateOrFinalStatus(String name,
      java.util.function.Function<SandboxWorkflow, SandboxStatus> update) {
    if (closed(name)) {
      return describe(name);
    }
    try {
      return call(name, () -> update.apply(stub(name)));
    } catch (SandboxException e) {
      return finalStatusOr(name, e);
    }
  }

  /** The final status when the sandbox's workflow closed while an update was in flight; otherwise {@code failure}. */
  private SandboxStatus finalStatusOr(String name, SandboxException failure) {
    if (closed(name)) {
      return describe(name);
    }
    throw failure;
  }

  /** Waits at most {@code timeout} for the sandbox to finish; empty when it is still going. */
  public Optional<SandboxResult> awaitDone(String name, Duration timeout) {
    WaitTimeouts.valid("timeout", timeout);
    try {
      return Optional.ofNullable(call(name, () -> {
        try {
          return untyped(name).getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, SandboxResult.class);
        } catch (TimeoutException e) {
          return null;
        }
      }));
    } catch (WorkflowFailedException e) {
      if (!(e.getCause() instanceof CanceledFailure)) {
        throw e;
      }
      return Optional.of(call(name, () -> stub(name).result()));
    }
  }

  /**
   * Asks the sandbox to terminate and returns once the workflow accepted the request, without
   * waiting for the pod to go. Returns false when the sandbox had already ended.
   */
  public boolean requestTermination(String name, String reason) {
    validReason(reason);
    if (closed(name)) {
      return false;
    }
    call(name, () -> untyped(name).startUpdate("terminate", WorkflowUpdateStage.ACCEPTED,
        SandboxStatus.class, reason));
    return true;
  }

  /**
   * The sandboxes a filter selects, newest first. Uses a visibility query over the sandbox
   * search attributes; on a server without list queries (Temporal's test server) it lists open
   * and closed executions and filters them here, describing each for its attributes.
   */
  public List<SandboxSummary> list(SandboxFilter filter) {
    return ClientCalls.list(client, filter.visibilityQuery(), SandboxClient::isSandbox, true, SandboxClient::summary)
        .stream()
        .filter(s -> s != null && filter.matches(s))
        .sorted(Comparator.comparing(SandboxSummary::startTime, Comparator.nullsLast(Comparator.reverseOrder())))
        .toList();
  }

  private static boolean isSandbox(WorkflowExecutionInfo info) {
    return SANDBOX_WORKFLOW_TYPE.equals(info.getType().getName())
        && info.getExecution().getWorkflowId().startsWith(WorkflowIds.SANDBOX_ID_PREFIX);
  }

  private static SandboxSummary summary(WorkflowExecutionMetadata meta) {
    String name = WorkflowIds.sandboxNameOf(meta.getExecution().getWorkflowId());
    if (name == null) {
      return null;
    }
    SearchAttributes attributes = meta.getTypedSearchAttributes();
    String phaseValue = attributes.get(SearchAttributeKeys.PHASE);
    SandboxPhase phase = phaseValue == null ? SandboxPhase.QUEUED : SandboxPhase.parse(phaseValue);
    List<String> tagEntries = attributes.get(SearchAttributeKeys.TAGS);
    Map<String, String> tags = new LinkedHashMap<>();
    if (tagEntries != null) {
      for (String entry : tagEntries) {
        int eq = entry.indexOf('=');
        if (eq > 0) {
          tags.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
      }
    }
    boolean open = meta.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    return new SandboxSummary(name, attributes.get(SearchAttributeKeys.IMAGE), phase, tags,
        meta.getStartTime(), open, attributes.get(SearchAttributeKeys.VOLUMES), keptStatus(meta));
  }

  /** The status the workflow keeps in its memo; null when there is none or it cannot be read. */
  private static SandboxStatus keptStatus(WorkflowExecutionMetadata meta) {
    try {
      return meta.getMemo(SandboxPresentation.STATUS_MEMO, SandboxStatus.class, SandboxStatus.class);
    } catch (RuntimeException e) {
      // a memo another writer put under the key: list what the search attributes say
      return null;
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

  /** The termination message is kept in the sandbox's status: a line, not a document. */
  private static void validReason(String reason) {
    if (reason != null && reason.length() > MAX_REASON) {
      throw new InvalidSpecException("terminate request", List.of(new Violation("reason",
          "must be at most " + MAX_REASON + " characters, got " + reason.length())));
    }
  }

  private boolean closed(String name) {
    return call(name, () -> untyped(name).describe().getWorkflowExecutionInfo().hasCloseTime());
  }

  private SandboxWorkflow stub(String name) {
    return client.newWorkflowStub(SandboxWorkflow.class, WorkflowIds.sandboxWorkflowId(name));
  }

  private WorkflowStub untyped(String name) {
    return client.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name));
  }

  /** Refuses a malformed name before asking the server: it cannot name a sandbox. */
  private static <T> T call(String name, java.util.function.Supplier<T> action) {
    SandboxNames.valid(name);
    return ClientCalls.call("no sandbox named \"" + name + "\"", action);
  }
}
