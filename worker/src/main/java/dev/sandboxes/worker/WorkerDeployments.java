package dev.sandboxes.worker;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.deployment.v1.WorkerDeploymentInfo;
import io.temporal.api.deployment.v1.WorkerDeploymentVersionInfo;
import io.temporal.api.enums.v1.VersionDrainageStatus;
import io.temporal.api.enums.v1.WorkerDeploymentVersionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentResponse;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionRequest;
import io.temporal.api.workflowservice.v1.SetWorkerDeploymentCurrentVersionRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Worker Deployment calls of the worker and of rollout tests, on the WorkflowService API of
 * Temporal server 1.29: is there Worker Versioning at all, which version is current, make a
 * version current, and is an old version drained.
 *
 * <p>The same steps from a shell are {@code temporal worker deployment describe --name N},
 * {@code set-current-version --deployment-name N --build-id B --yes} and
 * {@code describe-version --deployment-name N --build-id B} (see {@code deploy/README.md}).
 */
public final class WorkerDeployments {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration FIRST_RETRY = Duration.ofMillis(200);
  private static final Duration MAX_RETRY = Duration.ofSeconds(2);

  private final WorkflowServiceStubs stubs;
  private final String namespace;

  public WorkerDeployments(WorkflowServiceStubs stubs, String namespace) {
    this.stubs = stubs;
    this.namespace = namespace;
  }

  /**
   * Returns when the server and the namespace support Worker Deployments; throws
   * {@link VersioningUnsupportedException} saying what to change when they do not, and the
   * call's own {@link StatusRuntimeException} for anything else (an unreachable server, a
   * rejected credential), so that the caller can retry or report it as usual.
   *
   * <p>There is no capability flag for this in {@code GetSystemInfo}, and a server without Worker
   * Deployments ignores the deployment options of a poll, which would run the worker
   * unversioned. So this asks about {@code version} itself: not found (it has not polled yet)
   * or found both mean yes.
   */
  public void requireSupport(WorkerDeploymentVersion version) {
    try {
      blocking().describeWorkerDeploymentVersion(DescribeWorkerDeploymentVersionRequest.newBuilder()
          .setNamespace(namespace).setDeploymentVersion(proto(version)).build());
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      String answer = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
      String where = "the Temporal server at " + stubs.getOptions().getTarget();
      switch (status.getCode()) {
        case NOT_FOUND -> {
          return;
        }
        case UNIMPLEMENTED, INVALID_ARGUMENT -> throw new VersioningUnsupportedException(
            "sandboxes.versioning.enabled=true, but " + where + " has no Worker Deployments (asked to describe "
                + "version " + describe(version) + ", it answered " + answer + "). Worker Versioning needs "
                + "Temporal server 1.29.1 or later (e.g. the temporal CLI 1.5 dev server, or Temporal Cloud); "
                + "the in-process Java test server has none. Point sandboxes.temporal.target at such a server, "
                + "or set sandboxes.versioning.enabled=false");
        case PERMISSION_DENIED -> throw new VersioningUnsupportedException(
            "sandboxes.versioning.enabled=true, but " + where + " does not allow Worker Deployment versions in "
                + "namespace " + namespace + " (" + answer + "). Enable them with the server's dynamic config "
                + "system.enableDeploymentVersions=true for the namespace (the default since server 1.29), "
                + "give these credentials the right to manage Worker Deployments, or set "
                + "sandboxes.versioning.enabled=false");
        default -> throw e;
      }
    }
  }

  /** The deployment's current version; empty when it has none or does not exist (no worker polled yet). */
  public Optional<WorkerDeploymentVersion> currentVersion(String deploymentName) {
    try {
      return currentOf(describeDeployment(deploymentName).getWorkerDeploymentInfo());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Makes {@code version} the current version of its deployment, so that new workflows and
   * auto-upgrade ones run on it. Returns at once when it already is.
   *
   * <p>A version exists in the deployment only after one of its workers has polled, which is
   * asynchronous to the worker's start, and other clients may change the deployment meanwhile:
   * each attempt reads the deployment, then sets the version with the conflict token of that
   * read, so it never overrides a change it has not seen. Not-found (not registered yet),
   * failed-precondition (token mismatch, deployment not created yet), resource-exhausted (the
   * server's deployment workflow busy: "consistent query buffer is full", seen while two workers
   * registered at once) and deadline-exceeded or unavailable (a slow server: seen on a loaded CI
   * machine, where one call took over 10 s) are retried until {@code timeout}; there is nothing to
   * watch, so the wait is a capped backoff.
   *
   * @param identity who made the change, as the deployment records it
   * @throws IllegalStateException when the version did not become current within the timeout
   */
  public void setCurrentVersion(WorkerDeploymentVersion version, String identity, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    Duration delay = FIRST_RETRY;
    StatusRuntimeException last = null;
    while (true) {
      try {
        DescribeWorkerDeploymentResponse deployment = describeDeployment(version.getDeploymentName());
        WorkerDeploymentInfo info = deployment.getWorkerDeploymentInfo();
        if (currentOf(info).filter(version::equals).isPresent()) {
          return;
        }
        if (info.getVersionSummariesList().stream()
            .anyMatch(s -> s.getDeploymentVersion().getBuildId().equals(version.getBuildId()))) {
          setCurrent(version, identity, deployment.getConflictToken());
          return;
        }
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (!retriedWhileSettingCurrent(code)) {
          throw e;
        }
        last = e;
      }
      if (Instant.now().plus(delay).isAfter(deadline)) {
        throw new IllegalStateException("version " + describe(version) + " did not become current within "
            + timeout + (last == null ? ": its workers have not registered in the deployment"
                : ": " + last.getStatus().getCode() + " " + last.getStatus().getDescription()));
      }
      sleep(delay);
      delay = delay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay.multipliedBy(2);
    }
  }

  /** The answers {@link #setCurrentVersion} waits out: the deployment is not ready for the change yet. */
  public static boolean retriedWhileSettingCurrent(Status.Code code) {
    return code == Status.Code.NOT_FOUND || code == Status.Code.FAILED_PRECONDITION
        || code == Status.Code.RESOURCE_EXHAUSTED
        // a slow server (a loaded machine): each attempt reads the deployment first, so a set
        // that took effect although its answer timed out is seen as done
        || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.UNAVAILABLE;
  }

  /** Everything the server says about one version: status, task queues, drainage. */
  public WorkerDeploymentVersionInfo describeVersion(WorkerDeploymentVersion version) {
    return blocking().describeWorkerDeploymentVersion(DescribeWorkerDeploymentVersionRequest.newBuilder()
            .setNamespace(namespace).setDeploymentVersion(proto(version)).build())
        .getWorkerDeploymentVersionInfo();
  }

  /**
   * Whether an old version still has work: {@code DRAINING} while pinned workflows on it are
   * open, {@code DRAINED} once none is (its workers may then stop), {@code UNSPECIFIED} while it
   * is current or ramping, or was never either. The server refreshes this every
   * {@code matching.wv.VersionDrainageStatusRefreshInterval} (3 min by default) after a
   * visibility grace period of {@code matching.wv.VersionDrainageStatusVisibilityGracePeriod}
   * (3 min), so a version reads {@code DRAINING} for minutes after its last pinned workflow closed.
   * Asked up to three times, as {@link #versionStatus} is.
   */
  public VersionDrainageStatus drainageStatus(WorkerDeploymentVersion version) {
    return describeSoon(version).getDrainageInfo().getStatus();
  }

  /**
   * The version's status (current, ramping, draining, drained, inactive), asked up to three times
   * a second apart: the server answers {@code NOT_FOUND} for a moment while it recomputes a
   * version's drainage (seen on the temporal CLI's dev server).
   */
  public WorkerDeploymentVersionStatus versionStatus(WorkerDeploymentVersion version) {
    return describeSoon(version).getStatus();
  }

  /**
   * {@link #describeVersion}, asked up to three times a second apart: the server answers
   * {@code NOT_FOUND} for a moment while it recomputes a version's drainage.
   */
  private WorkerDeploymentVersionInfo describeSoon(WorkerDeploymentVersion version) {
    for (int attempt = 1; ; attempt++) {
      try {
        return describeVersion(version);
      } catch (StatusRuntimeException e) {
        if (attempt >= 3) {
          throw e;
        }
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  /**
   * Waits while {@code version} is {@code DRAINING} (replaced as current, with workflows still
   * pinned to it), at most {@code limit}, asking every {@code interval}: there is nothing to
   * watch, the server recomputes drainage on its own schedule. Returns the last status read;
   * {@code UNSPECIFIED} when the server stopped answering (three calls in a row), since a worker
   * that cannot reach it has nothing to serve.
   */
  public WorkerDeploymentVersionStatus awaitDrained(WorkerDeploymentVersion version, Duration limit, Duration interval) {
    Instant deadline = Instant.now().plus(limit);
    int failures = 0;
    while (true) {
      WorkerDeploymentVersionStatus status = WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING;
      try {
        status = describeVersion(version).getStatus();
        failures = 0;
      } catch (StatusRuntimeException e) {
        if (++failures >= 3) {
          return WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_UNSPECIFIED;
        }
      }
      if (status != WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING
          || !Instant.now().plus(interval).isBefore(deadline)) {
        return status;
      }
      sleep(interval);
    }
  }

  private void setCurrent(WorkerDeploymentVersion version, String identity, ByteString conflictToken) {
    blocking().setWorkerDeploymentCurrentVersion(SetWorkerDeploymentCurrentVersionRequest.newBuilder()
        .setNamespace(namespace)
        .setDeploymentName(version.getDeploymentName())
        .setBuildId(version.getBuildId())
        .setConflictToken(conflictToken)
        .setIdentity(identity)
        .build());
  }

  private DescribeWorkerDeploymentResponse describeDeployment(String deploymentName) {
    return blocking().describeWorkerDeployment(DescribeWorkerDeploymentRequest.newBuilder()
        .setNamespace(namespace).setDeploymentName(deploymentName).build());
  }

  private static Optional<WorkerDeploymentVersion> currentOf(WorkerDeploymentInfo info) {
    if (!info.getRoutingConfig().hasCurrentDeploymentVersion()) {
      return Optional.empty();
    }
    io.temporal.api.deployment.v1.WorkerDeploymentVersion current = info.getRoutingConfig().getCurrentDeploymentVersion();
    return Optional.of(new WorkerDeploymentVersion(current.getDeploymentName(), current.getBuildId()));
  }

  private WorkflowServiceGrpc.WorkflowServiceBlockingStub blocking() {
    return stubs.blockingStub().withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static io.temporal.api.deployment.v1.WorkerDeploymentVersion proto(WorkerDeploymentVersion version) {
    return io.temporal.api.deployment.v1.WorkerDeploymentVersion.newBuilder()
        .setDeploymentName(version.getDeploymentName()).setBuildId(version.getBuildId()).build();
  }

  /** {@code deployment/build-id}, as this project's logs spell a version. */
  public static String describe(WorkerDeploymentVersion version) {
    return version.getDeploymentName() + "/" + version.getBuildId();
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting on a Worker Deployment version", e);
    }
  }
}
