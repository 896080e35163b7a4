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
import dev.sandboxes.model.TerminateReasons;
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
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.failure.ApplicationFailure;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.SandboxReason;
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
  public static final int MAX_REASON = TerminateReasons.MAX;

  private final WorkflowClient client;
  private final String taskQueue;
  private final WorkerWatch workers;
  /** The same client, whose queries the server refuses once the workflow is closed. */
  private final WorkflowClient openOnly;

  /** A client that starts sandboxes through {@code client} on {@code taskQueue}. */
  public SandboxClient(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.workers = new WorkerWatch(client);
    this.openOnly = WorkflowClient.newInstance(client.getWorkflowServiceStubs(), client.getOptions().toBuilder()
        .setQueryRejectCondition(io.temporal.api.enums.v1.QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_OPEN)
        .build());
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
          () -> workers.await(() -> taskQueue, "create " + named.name(), () -> WorkflowClient.executeUpdateWithStart(stub::awaitRunning, timeout,
              UpdateOptions.<SandboxStatus>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
              new WithStartWorkflowOperation<>(stub::run, SandboxRequest.of(named))))));
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

  /**
   * The current status; works after the sandbox's workflow closed, whatever closed it. An open
   * workflow is asked (a query); a closed one is never asked: its status comes from how it closed
   * ({@link #result}).
   */
  public SandboxStatus describe(String name) {
    WorkflowExecutionDescription execution = call(name, () -> untyped(name).describe());
    if (!closed(execution)) {
      try {
        // refused by the server once the workflow closed: a closed workflow is never asked
        return call(name, () -> openOnly.newWorkflowStub(SandboxWorkflow.class, WorkflowIds.sandboxWorkflowId(name))
            .describe());
      } catch (RuntimeException e) {
        // closed while asked: answered as a closed one below
        execution = call(name, () -> untyped(name).describe());
        if (!closed(execution)) {
          throw e;
        }
      }
    }
    // a closed workflow is not asked either: result() reads how it closed
    return result(name).status();
  }

  /**
   * The result of a sandbox whose workflow did not end by its own code ({@link #endedOutside}),
   * from its description and, when known, the failure it closed with (whose message and typed
   * error say more).
   */
  private static SandboxResult endedOutsideResult(WorkflowExecutionDescription execution, WorkflowFailedException closed) {
    SandboxReason how = endedOutside(execution.getStatus()).orElseThrow();
    String reason = null;
    String detail = null;
    Throwable cause = closed == null ? null : closed.getCause();
    if (cause instanceof io.temporal.failure.TemporalFailure failure) {
      detail = failure.getOriginalMessage();
    }
    if (cause instanceof ApplicationFailure app && SandboxErrors.isSandboxError(app.getType())) {
      reason = app.getType(); // the workflow refused what it was given: the typed error names it
    }
    return new SandboxResult(closedStatus(execution, how, reason, detail), LogChunk.empty());
  }

  /**
   * The result of a sandbox whose workflow closed with a failure: a cancelled one's from its kept
   * state; a completed run's return value was the answer. One that did not end by its own code
   * (terminated or timed out by Temporal, or failed) is never asked (such a query replays a history
   * that ends in the middle, and fails or answers with a phase long gone): its result is the status
   * it kept in its memo, ended {@code terminated} ({@code failed} for a failure) with a reason that
   * says how, and no logs (phase truth when the project is bypassed; a recorded terminal phase stands).
   */
  private SandboxResult failedResult(String name, WorkflowFailedException failure) {
    if (failure.getCause() instanceof CanceledFailure) {
      // Temporal keeps no return value for a cancelled workflow; its state answers queries.
      return stub(name).result();
    }
    WorkflowExecutionDescription execution = untyped(name).describe();
    if (endedOutside(execution.getStatus()).isEmpty()) {
      throw failure;
    }
    return endedOutsideResult(execution, failure);
  }

  /** How a closed workflow's status ends a sandbox that its code did not end; empty for a workflow that ended itself. */
  static Optional<SandboxReason> endedOutside(WorkflowExecutionStatus status) {
    return switch (status) {
      case WORKFLOW_EXECUTION_STATUS_TERMINATED -> Optional.of(SandboxReason.WORKFLOW_TERMINATED);
      case WORKFLOW_EXECUTION_STATUS_TIMED_OUT -> Optional.of(SandboxReason.WORKFLOW_TIMED_OUT);
      case WORKFLOW_EXECUTION_STATUS_FAILED -> Optional.of(SandboxReason.WORKFLOW_FAILED);
      default -> Optional.empty();
    };
  }

  /**
   * The status of a sandbox whose workflow {@code how} closed: the status it kept (its memo, or
   * what its search attributes say), ended by that with {@code reason} (its failure's type where it
   * failed typed) and a message from {@code detail} (the terminate reason, the failure's message;
   * null when not known).
   */
  static SandboxStatus closedStatus(WorkflowExecutionMetadata meta, SandboxReason how, String reason, String detail) {
    String name = WorkflowIds.sandboxNameOf(meta.getExecution().getWorkflowId());
    SearchAttributes attributes = meta.getTypedSearchAttributes();
    Map<String, String> tags = tags(attributes);
    SandboxStatus kept = keptStatus(meta);
    // no memo (a run from before it was kept, or one that cannot be read): the phase attribute
    String phase = attributes.get(SearchAttributeKeys.PHASE);
    SandboxStatus recorded = kept != null ? kept.withTags(tags)
        : new SandboxStatus(name, attributes.get(SearchAttributeKeys.IMAGE),
            phase == null ? SandboxPhase.QUEUED : SandboxPhase.parse(phase), null, null, null,
            meta.getStartTime(), null, null, null, tags, 0);
    return recorded.closedOutside(how, reason, detail, meta.getCloseTime());
  }

  /** Runs a command in the running sandbox. */
  public ExecResult exec(String name, ExecRequest request) {
    request.validated();
    try {
      return watched(name, "exec", () -> stub(name).exec(request));
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
        return watched(name, "exec", running::getResult);
      }
    }
    ExecResult result = watched(name, "exec", running::getResult);
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
      return watched(name, "exec", () -> untyped(name).startUpdate(UpdateOptions.newBuilder(ExecResult.class)
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
    return call(name, () -> workers.await(() -> taskQueue, "exec output of sandbox \"" + name + "\"",
        () -> read.read(name, request)));
  }

  /** Recent output, live while the sandbox runs and from its captured tail after it closed. */
  public LogChunk logs(String name, LogRequest request) {
    request.validated();
    if (!closed(name)) {
      try {
        return watched(name, "logs", () -> stub(name).logs(request));
      } catch (SandboxException e) {
        if (!closed(name)) {
          throw e;
        }
      }
    }
    WorkflowExecutionDescription execution = call(name, () -> untyped(name).describe());
    if (endedOutside(execution.getStatus()).isPresent()) {
      SandboxStatus ended = result(name).status();
      throw new SandboxNotRunningException(ended.phase(), "sandbox \"" + name + "\" ended "
          + ended.phase().wireName() + (ended.reason() == null ? "" : " (" + ended.reason() + ")")
          + " and no logs were captured: its workflow was closed without running the code that keeps them");
    }
    return result(name).logs().select(request);
  }

  /** Terminates the sandbox and returns once its pod is gone; idempotent. */
  public SandboxStatus terminate(String name, String reason) {
    TerminateReasons.valid(reason);
    return updateOrFinalStatus(name, "terminate", sandbox -> sandbox.terminate(reason));
  }

  /**
   * Waits until the sandbox runs or has ended, at most {@code timeout}, and returns its status
   * then. Served by an update that the workflow completes on the phase change: no polling.
   */
  public SandboxStatus awaitRunning(String name, Duration timeout) {
    WaitTimeouts.valid("timeout", timeout);
    return updateOrFinalStatus(name, "wait", sandbox -> sandbox.awaitRunning(timeout));
  }

  /**
   * Sends an update that answers with a status. A closed workflow takes no updates: then (also
   * when it closes while the update is in flight) its final status is the answer.
   */
  private SandboxStatus updateOrFinalStatus(String name, String what,
      java.util.function.Function<SandboxWorkflow, SandboxStatus> update) {
    if (closed(name)) {
      return describe(name);
    }
    try {
      return watched(name, what, () -> update.apply(stub(name)));
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
    return Optional.ofNullable(watched(name, "wait", () -> {
      try {
        return untyped(name).getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, SandboxResult.class);
      } catch (TimeoutException e) {
        return null;
      } catch (WorkflowFailedException e) {
        return failedResult(name, e);
      }
    }));
  }

  /**
   * Asks the sandbox to terminate and returns once the workflow accepted the request, without
   * waiting for the pod to go. Returns false when the sandbox had already ended.
   */
  public boolean requestTermination(String name, String reason) {
    TerminateReasons.valid(reason);
    if (closed(name)) {
      return false;
    }
    watched(name, "terminate", () -> untyped(name).startUpdate("terminate", WorkflowUpdateStage.ACCEPTED,
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
    SandboxStatus kept = keptStatus(meta);
    Optional<SandboxReason> outside = endedOutside(meta.getStatus());
    if (outside.isPresent() && !phase.terminal()) {
      // its SandboxPhase attribute still says what it was when its workflow was closed
      kept = closedStatus(meta, outside.get(), null, null);
      phase = kept.phase();
    }
    boolean open = meta.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    return new SandboxSummary(name, attributes.get(SearchAttributeKeys.IMAGE), phase, tags(attributes),
        meta.getStartTime(), open, attributes.get(SearchAttributeKeys.VOLUMES), kept);
  }

  /** The tags of the {@code SandboxTags} attribute ({@code key=value} entries). */
  private static Map<String, String> tags(SearchAttributes attributes) {
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
    return tags;
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
    return call(name, () -> {
      try {
        return untyped(name).getResult(SandboxResult.class);
      } catch (WorkflowFailedException e) {
        return failedResult(name, e);
      }
    });
  }

  private boolean closed(String name) {
    return closed(call(name, () -> untyped(name).describe()));
  }

  private static boolean closed(WorkflowExecutionDescription execution) {
    // not "status != RUNNING": a paused workflow is open
    return execution.getWorkflowExecutionInfo().hasCloseTime();
  }

  /**
   * {@code call} (one that waits for the sandbox's worker), with Temporal's failures typed as by
   * {@link #call}; given up as {@code NoWorkerServing} when no worker serves the sandbox's task
   * queue ({@link WorkerWatch}).
   */
  private <T> T watched(String name, String what, java.util.function.Supplier<T> call) {
    return call(name, () -> workers.await(() -> untyped(name).describe().getWorkflowExecutionInfo().getTaskQueue(),
        what + " of sandbox \"" + name + "\"", call));
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
