package dev.sandboxes.worker;

import dev.sandboxes.model.TaskQueues;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Everything an operator configures on the worker, under the {@code sandboxes} prefix. Each
 * property can come from {@code application.yaml}, the command line
 * ({@code --sandboxes.runtime=local}) or the environment through Spring's relaxed binding
 * ({@code SANDBOXES_RUNTIME=local}, {@code SANDBOXES_TEMPORAL_TARGET=...}).
 *
 * <p>Values are checked as they are bound, by {@link SandboxesPropertiesValidator}: a bad value
 * stops startup with a report that names the property and the rule, before anything connects
 * to Temporal or Kubernetes.
 *
 * @param temporal the Temporal connection
 * @param taskQueue task queue of sandbox workflows and activities; clients must use the same
 * @param runtime where sandboxes run
 * @param kubernetes settings of the Kubernetes runtime
 * @param local settings of the local runtime
 * @param shutdownTimeout how long a stopping worker waits for running activities and workflow
 *     tasks before it closes the runtime
 * @param sandbox bounds on every sandbox: lifetime, schedule and startup timeouts
 * @param reaper the orphan reaper's schedule
 * @param versioning Worker Versioning: the Worker Deployment version this worker polls as
 */
@Validated
// a misspelt key (sandboxes.tsk-queue) is refused at start-up, not ignored; Spring Boot does not
// check environment variables and system properties for unknown keys (SANDBOXES_TSK_QUEUE is ignored)
@ConfigurationProperties(prefix = "sandboxes", ignoreUnknownFields = false)
public record SandboxesProperties(
    @DefaultValue TemporalProperties temporal,
    @DefaultValue(TaskQueues.DEFAULT) String taskQueue,
    @DefaultValue("kubernetes") RuntimeKind runtime,
    @DefaultValue KubernetesProperties kubernetes,
    @DefaultValue LocalProperties local,
    @DefaultValue("30s") Duration shutdownTimeout,
    @DefaultValue SandboxProperties sandbox,
    @DefaultValue ReaperProperties reaper,
    @DefaultValue VersioningProperties versioning) {}
