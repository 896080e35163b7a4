package dev.sandboxes.model;

/**
 * The workflow IDs of sandboxes, volumes, batches and warm pools: {@code sandbox/<name>},
 * {@code volume/<name>}, {@code batch/<name>} and its chunks {@code batch/<name>/<k>},
 * {@code pool/<name>}. Workflow code, clients and the CLI
 * find each other's workflows by these, so they never change.
 */
public final class WorkflowIds {
  private WorkflowIds() {}

  /** Workflow ID prefix of sandbox workflows: {@code sandbox/<name>}. */
  public static final String SANDBOX_ID_PREFIX = "sandbox/";

  /** The workflow ID of sandbox {@code name}: {@code sandbox/<name>}. */
  public static String sandboxWorkflowId(String name) {
    return SANDBOX_ID_PREFIX + name;
  }

  /** The sandbox name in a sandbox workflow ID, or {@code null} if it is not one. */
  public static String sandboxNameOf(String workflowId) {
    return nameAfter(SANDBOX_ID_PREFIX, workflowId);
  }

  /** Prefix of the short workflows that each read a piece of an exec's output. */
  public static final String EXEC_OUTPUT_ID_PREFIX = "exec-output/";

  /** The workflow ID of the read of exec {@code execId}'s output in {@code sandbox} from {@code offset}. */
  public static String execOutputWorkflowId(String sandbox, String execId, long offset) {
    return EXEC_OUTPUT_ID_PREFIX + sandbox + "/" + execId + "/" + offset;
  }

  /** Workflow ID prefix of volume workflows: {@code volume/<name>}. */
  public static final String VOLUME_ID_PREFIX = "volume/";

  /** The workflow ID of volume {@code name}: {@code volume/<name>}. */
  public static String volumeWorkflowId(String name) {
    return VOLUME_ID_PREFIX + name;
  }

  /** The volume name in a volume workflow ID, or {@code null} if it is not one. */
  public static String volumeNameOf(String workflowId) {
    return nameAfter(VOLUME_ID_PREFIX, workflowId);
  }

  /** Workflow ID prefix of batch workflows: {@code batch/<name>}; their chunks are {@code batch/<name>/<k>}. */
  public static final String BATCH_ID_PREFIX = "batch/";

  /** The workflow ID of batch {@code name}: {@code batch/<name>}. */
  public static String batchWorkflowId(String name) {
    return BATCH_ID_PREFIX + name;
  }

  /** The workflow ID of chunk {@code chunk} of batch {@code name}: {@code batch/<name>/<chunk>}. */
  public static String batchChunkWorkflowId(String name, int chunk) {
    return BATCH_ID_PREFIX + name + "/" + chunk;
  }

  /** The batch name in a batch workflow ID, or {@code null} if it is not one (chunks are not). */
  public static String batchNameOf(String workflowId) {
    String rest = nameAfter(BATCH_ID_PREFIX, workflowId);
    return rest == null || rest.contains("/") ? null : rest;
  }

  /** Workflow ID prefix of the warm pools' keepers: {@code pool/<name>}, one per configured pool. */
  public static final String POOL_ID_PREFIX = "pool/";

  /** The workflow ID of the keeper of warm pool {@code name}: {@code pool/<name>}. */
  public static String poolWorkflowId(String name) {
    return POOL_ID_PREFIX + name;
  }

  /** What follows {@code prefix} in {@code workflowId}, or {@code null} if it does not start with it. */
  private static String nameAfter(String prefix, String workflowId) {
    return workflowId != null && workflowId.startsWith(prefix) ? workflowId.substring(prefix.length()) : null;
  }
}
