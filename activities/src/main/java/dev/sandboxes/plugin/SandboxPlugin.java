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
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.Set;
import java.util.function.Consumer;

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
 * themselves: batches are pinned, sandboxes, volumes and the reaper auto-upgrade. When the
 * factory starts, the namespace's sandbox search attributes are registered where missing (as
 * {@code sandbox setup} does); a namespace that lacks them and refuses them fails the start.
 */
public final class SandboxPlugin extends SimplePlugin {
  public static final String NAME = "dev.sandboxes.SandboxPlugin";
  /**
   * The activity slots the plugin gives a worker that keeps the SDK's default (200). Every
   * running sandbox holds one slot with its watch (an activity blocked on the runtime's watch,
   * not a poll), so with 200 a worker's 201st sandbox would wait in {@code creating}, and an
   * exec behind the watches, for a watch to end. With this many, one worker serves about 1,900
   * running sandboxes with room for their creates, execs and cleanups; past that, run more
   * workers or set {@code WorkerOptions.setMaxConcurrentActivityExecutionSize} (or a tuner),
   * which the plugin leaves alone.
   */
  public static final int ACTIVITY_SLOTS = 2000;
  /** The Java SDK's default for {@code maxConcurrentActivityExecutionSize}. */
  static final int SDK_DEFAULT_ACTIVITY_SLOTS = 200;

  /** The task queues it registers on; all when empty. */
  private final Set<String> taskQueues;

  private SandboxPlugin(Builder builder, Set<String> taskQueues) {
    super(builder);
    this.taskQueues = Set.copyOf(taskQueues);
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
    Builder builder = SimplePlugin.newBuilder(NAME)
        // registered on the client: validators' rejections carry the documented error types, and
        // requests with unknown fields are found (UnknownFields)
        .customizeDataConverter(SandboxDataConverter::wrap)
        .initializeWorker((taskQueue, worker) -> {
          if (serves(taskQueues, taskQueue)) {
            WorkflowTypes.register(worker, limits, isVersioned(worker));
            worker.registerActivitiesImplementations(activities, volumes, reaper, pools);
          }
        });
    return new SandboxPlugin(builder, taskQueues);
  }

  /** Raises the activity slots of a worker that keeps the SDK's default ({@link #ACTIVITY_SLOTS}). */
  @Override
  public void configureWorker(String taskQueue, WorkerOptions.Builder options) {
    super.configureWorker(taskQueue, options);
    if (!serves(taskQueues, taskQueue)) {
      return;
    }
    WorkerOptions current = options.build();
    int slots = current.getMaxConcurrentActivityExecutionSize();
    if (current.getWorkerTuner() == null && (slots == 0 || slots == SDK_DEFAULT_ACTIVITY_SLOTS)) {
      options.setMaxConcurrentActivityExecutionSize(ACTIVITY_SLOTS);
    }
  }

  /**
   * Before the factory's workers poll: the namespace's sandbox search attributes, registered
   * where missing ({@link SearchAttributeCheck}); a namespace that lacks them and cannot get them
   * stops the start with an {@link IllegalStateException} naming them and how to add them.
   */
  @Override
  public void startWorkerFactory(WorkerFactory factory, Consumer<WorkerFactory> next) {
    SearchAttributeCheck.ensure(factory.getWorkflowClient());
    super.startWorkerFactory(factory, next);
  }

  private static boolean serves(Set<String> taskQueues, String taskQueue) {
    return taskQueues.isEmpty() || taskQueues.contains(taskQueue);
  }

  /** Whether the worker polls as a Worker Deployment version (see {@link WorkflowTypes#register}). */
  static boolean isVersioned(Worker worker) {
    WorkerDeploymentOptions deployment = worker.getWorkerOptions().getDeploymentOptions();
    return deployment != null && deployment.isUsingVersioning();
  }
}
