package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.runtime.PlatformException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Locale;

/**
 * Translates fabric8's {@link KubernetesClientException} into the runtime's typed errors, so
 * that activities can decide on retries without looking at HTTP codes.
 *
 * <table>
 *   <caption>HTTP status → error</caption>
 *   <tr><td>404</td><td>{@link SandboxNotFoundException}</td></tr>
 *   <tr><td>409</td><td>{@link PlatformException#conflict} (create re-reads the object first:
 *       see {@link #isConflict})</td></tr>
 *   <tr><td>403 exceeded quota</td><td>{@link #isQuotaExceeded}: create reports QUEUED</td></tr>
 *   <tr><td>403 violates PodSecurity</td><td>{@code SandboxRuntimeRejected}, not retryable: the
 *       namespace's Pod Security admission refused the pod (its message names the rules)</td></tr>
 *   <tr><td>401, other 403</td><td>{@code SandboxRuntimeForbidden}, not retryable: fix RBAC</td></tr>
 *   <tr><td>400, 422, other 4xx</td><td>{@code SandboxRuntimeRejected}, not retryable</td></tr>
 *   <tr><td>429, 5xx, 0 or an I/O cause</td><td>{@code SandboxRuntimeUnavailable},
 *       retryable</td></tr>
 * </table>
 */
public final class KubernetesErrors {
  private KubernetesErrors() {}

  /** The typed error for {@code e}, raised while doing {@code what} (e.g. "create pod x"). */
  public static SandboxException translate(KubernetesClientException e, String what) {
    int code = e.getCode();
    String detail = what + ": " + describe(e);
    if (code == 404) {
      return new SandboxNotFoundException(what + ": not found");
    }
    if (code == 409) {
      return PlatformException.conflict(detail);
    }
    if (isPodSecurityViolation(e)) {
      return new PlatformException(SandboxErrors.RUNTIME_REJECTED, false, detail
          + " (the namespace's Pod Security admission refused the pod; the worker's own pods meet "
          + "the restricted level, so look at what the worker's configuration or the namespace adds)", e);
    }
    if (code == 401 || code == 403) {
      return new PlatformException(SandboxErrors.FORBIDDEN, false, detail
          + " (check the worker's RBAC: it needs pods, pods/exec, pods/log, networkpolicies and "
          + "persistentvolumeclaims in the sandbox namespace)", e);
    }
    if (code == 429 || code >= 500 || code == 0 || hasIoCause(e)) {
      return PlatformException.unavailable(detail, e);
    }
    return new PlatformException(SandboxErrors.RUNTIME_REJECTED, false, detail, e);
  }

  /** The object already exists. */
  public static boolean isConflict(KubernetesClientException e) {
    return e.getCode() == 409;
  }

  /** The namespace's ResourceQuota refused the object: capacity, not permission. */
  public static boolean isQuotaExceeded(KubernetesClientException e) {
    String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
    String status = e.getStatus() == null || e.getStatus().getMessage() == null ? ""
        : e.getStatus().getMessage().toLowerCase(Locale.ROOT);
    return e.getCode() == 403 && (message.contains("exceeded quota") || status.contains("exceeded quota"));
  }

  /** The namespace's Pod Security admission refused the object: a rule, not a permission. */
  public static boolean isPodSecurityViolation(KubernetesClientException e) {
    String status = e.getStatus() == null || e.getStatus().getMessage() == null ? "" : e.getStatus().getMessage();
    return e.getCode() == 403 && (status.contains("violates PodSecurity")
        || String.valueOf(e.getMessage()).contains("violates PodSecurity"));
  }

  /** A readable message: the API server's status message when there is one. */
  public static String describe(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return "HTTP " + e.getCode() + " " + e.getStatus().getMessage();
    }
    return e.getCode() == 0 ? String.valueOf(e.getMessage()) : "HTTP " + e.getCode() + " " + e.getMessage();
  }

  private static boolean hasIoCause(Throwable e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof IOException && !(t instanceof InterruptedIOException)) {
        return true;
      }
    }
    return false;
  }
}
