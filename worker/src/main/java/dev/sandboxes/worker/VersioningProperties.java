package dev.sandboxes.worker;

import io.temporal.common.WorkerDeploymentVersion;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Worker Versioning ({@code sandboxes.versioning.*}): the worker joins a Temporal Worker
 * Deployment as one version, {@code (deployment name, build ID)}. New workflows start on the
 * deployment's current version; batches stay on the version that started them (pinned), while
 * sandboxes, volumes and the reaper move to the current version at their next workflow task
 * (auto-upgrade), so their code changes go through {@code Workflow.getVersion}. Needs Temporal
 * server 1.29.1 or later with Worker Deployment Versions enabled on the namespace; the worker
 * refuses to start otherwise. Rollout steps: {@code deploy/README.md}.
 *
 * @param enabled poll as a version of a Worker Deployment; off means an unversioned worker
 * @param deploymentName the Worker Deployment; unset means the task queue's name (one deployment
 *     per fleet of workers on a task queue). No {@code .} or {@code :}, not starting with
 *     {@code __}, at most 255 characters
 * @param buildId this build's identity within the deployment; unset means the project version
 *     from {@code META-INF/build-info.properties}. Two builds must not share a build ID: a
 *     {@code -SNAPSHOT} version is shared by every development build, so set it (to the image
 *     tag or the commit) for anything built from a snapshot
 * @param setCurrent make this version the deployment's current one once the worker polls. For
 *     development and tests: an old worker restarting during a rollout would take the
 *     deployment back, so production sets the current version from the rollout
 *     ({@code temporal worker deployment set-current-version}). A version that was current
 *     once and has been replaced is never made current again this way (a restarted old worker
 *     does not take the deployment back); a rollback is the operator's step
 * @param drainTimeout how long a stopping worker whose version has been replaced keeps polling
 *     for the workflows still pinned to it (its batches), until the server reports the version
 *     drained; {@code 0s} stops at once. A worker whose version is still current, or was never
 *     current, stops at once either way. In Kubernetes the pod's grace period must outlast it
 * @param drainedQueryWindow how long such a worker, once its version has drained, still answers
 *     queries of the closed workflows pinned to it ({@code sandbox batch results} of a batch that
 *     just finished on it) before it stops; after that, those queries find no worker
 */
public record VersioningProperties(
    @DefaultValue("false") boolean enabled,
    String deploymentName,
    String buildId,
    @DefaultValue("false") boolean setCurrent,
    @DefaultValue("0s") java.time.Duration drainTimeout,
    @DefaultValue("0s") java.time.Duration drainedQueryWindow) {

  /** The deployment name actually used: the configured one, or the task queue's name. */
  public String effectiveDeploymentName(String taskQueue) {
    return deploymentName != null ? deploymentName : taskQueue;
  }

  /** The build ID actually used: the configured one, or this build's version ({@code null} if neither). */
  public String effectiveBuildId() {
    return buildId != null ? buildId : BuildVersion.current();
  }

  /** The version this worker polls as. */
  public WorkerDeploymentVersion version(String taskQueue) {
    return new WorkerDeploymentVersion(effectiveDeploymentName(taskQueue), effectiveBuildId());
  }
}
