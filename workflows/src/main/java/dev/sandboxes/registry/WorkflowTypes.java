package dev.sandboxes.registry;

import dev.sandboxes.batch.internal.BatchChunkWorkflowImpl;
import dev.sandboxes.batch.internal.BatchWorkflowImpl;
import dev.sandboxes.pool.internal.PoolWorkflowImpl;
import dev.sandboxes.reaper.internal.ReaperWorkflowImpl;
import dev.sandboxes.workflow.SandboxLimits;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.SandboxWorkflow;
import dev.sandboxes.workflow.internal.ExecOutputWorkflowImpl;
import dev.sandboxes.workflow.internal.SandboxWorkflowImpl;
import dev.sandboxes.workflow.internal.VolumeWorkflowImpl;
import io.temporal.common.converter.EncodedValues;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkflowImplementationOptions;
import java.util.Objects;

/**
 * The project's workflow implementations, registered in one place: by the plugin on every worker
 * it sets up, and by the build's replay of the recorded-history corpus, so that what is replayed
 * is exactly what a worker runs. It names every implementation, so it lives above the workflow
 * packages rather than in one of them.
 */
public final class WorkflowTypes {
  private WorkflowTypes() {}

  /**
   * Registers the sandbox, volume, batch, chunk, reaper, exec-output and warm-pool workflows on {@code worker}. A
   * {@code versioned} worker (one that polls as a Worker Deployment version) gets the
   * implementations that declare their versioning behaviour (batches and chunks pinned;
   * sandboxes, volumes and the reaper auto-upgrade); any other gets the plain ones, which declare
   * none, because the server refuses a behaviour from an unversioned worker: Java SDK 1.38
   * reports an annotated behaviour from any worker, and the server fails every workflow task of
   * an unversioned worker that reports one ("versioning behavior cannot be specified without
   * deployment options being set with versioned mode"). Both run the same code.
   */
  public static void register(Worker worker, SandboxLimits limits, boolean versioned) {
    Objects.requireNonNull(limits, "limits");
    if (versioned) {
      worker.registerWorkflowImplementationFactory(SandboxWorkflow.class,
          input -> new SandboxWorkflowImpl.Versioned(limits, inputOf(input)), WorkflowImplementationOptions.getDefaultInstance());
      worker.registerWorkflowImplementationTypes(VolumeWorkflowImpl.Versioned.class,
          BatchWorkflowImpl.Versioned.class, BatchChunkWorkflowImpl.Versioned.class,
          ReaperWorkflowImpl.Versioned.class, ExecOutputWorkflowImpl.Versioned.class,
          PoolWorkflowImpl.Versioned.class);
    } else {
      worker.registerWorkflowImplementationFactory(SandboxWorkflow.class,
          input -> new SandboxWorkflowImpl(limits, inputOf(input)), WorkflowImplementationOptions.getDefaultInstance());
      worker.registerWorkflowImplementationTypes(VolumeWorkflowImpl.class,
          BatchWorkflowImpl.class, BatchChunkWorkflowImpl.class, ReaperWorkflowImpl.class,
          ExecOutputWorkflowImpl.class, PoolWorkflowImpl.class);
    }
  }

  /**
   * The sandbox run's input, for its constructor (the factory form of {@code @WorkflowInit}:
   * handlers that run before the workflow method see a continued run's carried phase). Null
   * when it cannot be read; the workflow method then fails on it as before.
   */
  private static SandboxRequest inputOf(EncodedValues input) {
    try {
      return input.get(0, SandboxRequest.class);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
