package dev.sandboxes.client;

import dev.sandboxes.model.PoolStatus;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.pool.PoolWorkflow;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The warm pools' keepers ({@link PoolWorkflow}, {@code pool/<name>}): started by the worker for
 * each pool its configuration declares, and listed with their counts by {@code sandbox pool list}.
 */
public final class PoolClient {
  private final WorkflowClient client;

  /** A client that calls through {@code client}; {@link NullPointerException} when it is {@code null}. */
  public PoolClient(WorkflowClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * Starts the keeper of {@code pool} on {@code taskQueue} unless it runs already; returns
   * whether this call started it.
   */
  public boolean ensureKeeper(String pool, String taskQueue) {
    PoolWorkflow keeper = client.newWorkflowStub(PoolWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.poolWorkflowId(pool))
        .setTaskQueue(taskQueue)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary("keeps warm pool " + pool + " filled")
        .build());
    try {
      ClientCalls.starting(client, () -> WorkflowClient.start(keeper::run, pool));
      return true;
    } catch (WorkflowExecutionAlreadyStarted e) {
      return false;
    }
  }

  /**
   * Every running keeper's counts, by pool name; a keeper that has not filled its pool yet
   * answers with no counts (its pool is listed with size -1).
   */
  public List<PoolStatus> list() {
    List<PoolStatus> pools = new ArrayList<>();
    String query = "WorkflowType = 'SandboxPool' AND ExecutionStatus = 'Running'";
    for (var execution : ClientCalls.list(client, query,
        info -> info.getType().getName().equals("SandboxPool"), false)) {
      String id = execution.getExecution().getWorkflowId();
      if (!id.startsWith(WorkflowIds.POOL_ID_PREFIX)) {
        continue;
      }
      PoolStatus status = WorkflowStub.fromTyped(client.newWorkflowStub(PoolWorkflow.class, id))
          .query("status", PoolStatus.class);
      String name = id.substring(WorkflowIds.POOL_ID_PREFIX.length());
      pools.add(status != null ? status : new PoolStatus(name, null, -1, 0, 0, 0));
    }
    pools.sort(Comparator.comparing(PoolStatus::name));
    return pools;
  }
}
