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

  private SandboxErrors() {}
}
