package dev.sandboxes.model;

/**
 * The stable error type names, used as {@code ApplicationFailure} types between activities,
 * workflows and clients. Retryable ones are retried by Temporal; the others fail at once.
 */
public final class SandboxErrors {
  /** The spec or request breaks a rule; the message names every field and rule. Not retryable. */
  public static final String INVALID_SPEC = "InvalidSandboxSpec";
  /** No sandbox (or pod) of that name exists. Not retryable. */
  public static final String NOT_FOUND = "SandboxNotFound";
  /** The sandbox is not in a phase that allows the operation (e.g. exec on a finished one). */
  public static final String NOT_RUNNING = "SandboxNotRunning";
  /** The name was used before; sandbox names are never reused. */
  public static final String NAME_ALREADY_USED = "SandboxNameAlreadyUsed";
  /** A pod of that name exists but was not created for this sandbox. Not retryable. */
  public static final String NAME_CONFLICT = "SandboxNameConflict";
  /** The platform refused the call for lack of permission (RBAC). Not retryable. */
  public static final String FORBIDDEN = "SandboxRuntimeForbidden";
  /** The platform could not be reached or answered 429/5xx. Retryable. */
  public static final String RUNTIME_UNAVAILABLE = "SandboxRuntimeUnavailable";
  /** The platform rejected the request as invalid (a 4xx other than the above). Not retryable. */
  public static final String RUNTIME_REJECTED = "SandboxRuntimeRejected";
  /** A volume of that name exists (its workflow is open). Not retryable. */
  public static final String VOLUME_EXISTS = "VolumeExists";
  /** The volume is attached to sandboxes that have not finished. Not retryable. */
  public static final String VOLUME_IN_USE = "VolumeInUse";

  /**
   * The sandbox's agent (the process in its pod that serves exec) could not be reached or
   * failed the call. Retryable: the pod may still be starting or its network briefly down.
   */
  public static final String AGENT_UNAVAILABLE = "SandboxAgentUnavailable";
  /**
   * The sandbox's agent refused the call: a wrong token, or a request it cannot take. The message carries the agent's reason. Not retryable.
   */
  public static final String AGENT_REFUSED = "SandboxAgentRefused";

  /**
   * The exec's ID already names another command in this sandbox (an ID names one command: the
   * same request under it again attaches to that exec). Not retryable.
   */
  public static final String EXEC_ID_IN_USE = "ExecIdInUse";

  /**
   * The worker running an exec stopped answering (it crashed or lost its connection) before the
   * command's result arrived: the command may or may not have run. Exec is never retried, since
   * running a command twice is not harmless; the sandbox itself stays usable. Not retryable.
   */
  public static final String EXEC_OUTCOME_UNKNOWN = "ExecOutcomeUnknown";

  /**
   * No worker serves the task queue of the workflow a call waits on (none has polled it for a
   * minute): the call is given up instead of waiting for a worker that may never come; what it
   * asked may still happen when a worker comes back. Not retryable by the client itself.
   */
  public static final String NO_WORKER = "NoWorkerServing";

  /**
   * The Temporal namespace lacks the sandbox search attributes, so nothing can start there
   * ({@link SearchAttributesMissingException}); {@code sandbox setup} registers them. Not retryable.
   */
  public static final String SEARCH_ATTRIBUTES_MISSING = SearchAttributesMissingException.TYPE;

  private static final java.util.Set<String> ALL = java.util.Set.of(INVALID_SPEC, NOT_FOUND,
      NOT_RUNNING, NAME_ALREADY_USED, NAME_CONFLICT, FORBIDDEN, RUNTIME_UNAVAILABLE, RUNTIME_REJECTED,
      VOLUME_EXISTS, VOLUME_IN_USE, EXEC_OUTCOME_UNKNOWN, AGENT_UNAVAILABLE, AGENT_REFUSED,
      EXEC_ID_IN_USE, NO_WORKER, SEARCH_ATTRIBUTES_MISSING);

  private SandboxErrors() {}

  /** True for the types defined here. */
  public static boolean isSandboxError(String type) {
    return type != null && ALL.contains(type);
  }

  /**
   * The error type of a failure type, which is either one of the types defined here or the
   * class name of one of the model's exceptions (how an update validator's rejection arrives).
   * {@code null} when it is neither.
   */
  public static String typeOf(String failureType) {
    if (isSandboxError(failureType)) {
      return failureType;
    }
    if (InvalidSpecException.class.getName().equals(failureType)) {
      return INVALID_SPEC;
    }
    if (SandboxNotRunningException.class.getName().equals(failureType)
        || VolumeNotReadyException.class.getName().equals(failureType)) {
      return NOT_RUNNING;
    }
    if (SandboxNotFoundException.class.getName().equals(failureType)) {
      return NOT_FOUND;
    }
    if (VolumeInUseException.class.getName().equals(failureType)) {
      return VOLUME_IN_USE;
    }
    return null;
  }
}
