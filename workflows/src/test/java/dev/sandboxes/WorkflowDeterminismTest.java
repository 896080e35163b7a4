package dev.sandboxes;

import dev.sandboxes.batch.Batches;
import dev.sandboxes.batch.ItemRunner;
import dev.sandboxes.batch.internal.BatchChunkWorkflowImpl;
import dev.sandboxes.batch.internal.BatchWorkflowImpl;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.SandboxFilter;
import dev.sandboxes.determinism.WorkflowDeterminismContract;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.reaper.internal.ReaperWorkflowImpl;
import dev.sandboxes.workflow.SandboxEvents;
import dev.sandboxes.workflow.SandboxPresentation;
import dev.sandboxes.workflow.Sandboxes;
import dev.sandboxes.workflow.SearchAttributeKeys;
import dev.sandboxes.workflow.internal.SandboxWorkflowImpl;
import dev.sandboxes.workflow.internal.VolumeWorkflowImpl;
import org.junit.jupiter.api.Test;

/** The determinism rules over this module: the workflow implementations and the author API. */
class WorkflowDeterminismTest extends WorkflowDeterminismContract {
  @Override
  protected Class<?> moduleClass() {
    return SandboxSpec.class;
  }

  @Test
  void workflowCodeIsTheImplementationsTheAuthorApiAndWhatTheyUseButNoClient() {
    assertWorkflowCode(SandboxWorkflowImpl.class, VolumeWorkflowImpl.class, BatchWorkflowImpl.class,
        BatchChunkWorkflowImpl.class, ReaperWorkflowImpl.class, ItemRunner.class, SandboxEvents.class,
        Sandboxes.class, Batches.class, WorkflowIds.class, SearchAttributeKeys.class, SandboxPresentation.class,
        SandboxSpec.class);
    assertNotWorkflowCode(SandboxClient.class, SandboxFilter.class);
  }
}
