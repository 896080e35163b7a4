package dev.sandboxes.plugin;

import dev.sandboxes.activity.PoolActivitiesImpl;
import dev.sandboxes.activity.ReaperActivitiesImpl;
import dev.sandboxes.activity.SandboxActivitiesImpl;
import dev.sandboxes.activity.VolumeActivitiesImpl;
import dev.sandboxes.registry.WorkflowTypes;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.workflow.SandboxLimits;
import io.temporal.common.SimplePlugin;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerDeploymentOptions;
import java.util.Set;

/**
 * Adds sandboxes to any Temporal worker in one line:
 *
 * <pre>{@code
 * WorkerFactory factory = WorkerFactory.newInstance(client,
 *     WorkerFactoryOptions.newBuilder().setPlugins(SandboxPlugin.forRuntime(runtime)).build());
 * }</pre>
 *
 * It registers the sandbox, volume, batch, reaper and warm-pool workflows and their activities (over the
 * given runtime) on every worker the factory creates, or only on the named task queues. Workflows that use the
 * author API ({@code Sandboxes.start}) need them on their own task queue unless they pass a
 * {@code SandboxOptions} task queue. On a worker with Worker Versioning on
 * ({@code WorkerOptions.setDeploymentOptions}) the workflows declare their versioning behaviour
 * themselves: batches are pinned, sandboxes, volumes and the reaper auto-upgrade.
 */
public final class SandboxPlugin extends SimplePlugin {
  public static final String NAME = "dev.sandboxes.SandboxPlugin";

  private SandboxPlugin(Builder builder) {
    super(builder);
  }

  /** Registers on every task queue. */
  public static SandboxPlugin forRuntime(SandboxRuntime runtime) {
    return forRuntime(runtime, Set.of());
  }

  /** Registers only on the given task queues (all of them when the set is empty). */
  public static SandboxPlugin forRuntime(SandboxRuntime runtime, Set<String> taskQueues) {
    return forRuntime(runtime, taskQueues, SandboxLimits.defaults());
  }

  /**
   * Registers only on the given task queues (all when empty), with the worker's bounds on every
   * sandbox ({@link SandboxLimits}: lifetime, schedule and startup timeouts).
   */
  public static SandboxPlugin forRuntime(SandboxRuntime runtime, Set<String> taskQueues,
      SandboxLimits limits) {
    SandboxActivitiesImpl activities = new SandboxActivitiesImpl(runtime);
    VolumeActivitiesImpl volumes = new VolumeActivitiesImpl(runtime);
    ReaperActivitiesImpl reaper = new ReaperActivitiesImpl(runtime);
    PoolActivitiesImpl pools = new PoolActivitiesImpl(runtime);
    Builder builder = SimplePlugin.newBuilder(NAME).initializeWorker((taskQueue, worker) -> {
      if (taskQueues.isEmpty() || taskQueues.contains(taskQueue)) {
        WorkflowTypes.register(worker, limits, isVersioned(worker));
        worker.registerActivitiesImplementations(activities, volumes, reaper, pools);
      }
    });
    return new SandboxPlugin(builder);
  }

  /** Whether the worker polls as a Worker Deployment version (see {@link WorkflowTypes#register}). */
  static boolean isVersioned(Worker worker) {
    WorkerDeploymentOptions deployment = worker.getWorkerOptions().getDeploymentOptions();
    return deployment != null && deployment.isUsingVersioning();
  }
}
