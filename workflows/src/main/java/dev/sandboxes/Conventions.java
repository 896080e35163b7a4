package dev.sandboxes;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/**
 * Every name that crosses a boundary, in one place: workflow IDs, task queues, search
 * attributes, signal names, and the label and annotation keys put on platform objects.
 */
public final class Conventions {
  private Conventions() {}

  /** The default task queue of sandbox workflows and activities. */
  public static final String DEFAULT_TASK_QUEUE = "sandboxes";

  /** Workflow ID prefix of sandbox workflows: {@code sandbox/<name>}. */
  public static final String SANDBOX_ID_PREFIX = "sandbox/";

  public static String sandboxWorkflowId(String name) {
    return SANDBOX_ID_PREFIX + name;
  }

  /** The sandbox name in a sandbox workflow ID, or {@code null} if it is not one. */
  public static String sandboxNameOf(String workflowId) {
    return workflowId != null && workflowId.startsWith(SANDBOX_ID_PREFIX)
        ? workflowId.substring(SANDBOX_ID_PREFIX.length())
        : null;
  }

  /** Workflow ID prefix of volume workflows: {@code volume/<name>}. */
  public static final String VOLUME_ID_PREFIX = "volume/";

  public static String volumeWorkflowId(String name) {
    return VOLUME_ID_PREFIX + name;
  }

  /** The volume name in a volume workflow ID, or {@code null} if it is not one. */
  public static String volumeNameOf(String workflowId) {
    return workflowId != null && workflowId.startsWith(VOLUME_ID_PREFIX)
        ? workflowId.substring(VOLUME_ID_PREFIX.length())
        : null;
  }

  /** Workflow ID prefix of batch workflows: {@code batch/<name>}; their chunks are {@code batch/<name>/<k>}. */
  public static final String BATCH_ID_PREFIX = "batch/";

  public static String batchWorkflowId(String name) {
    return BATCH_ID_PREFIX + name;
  }

  public static String batchChunkWorkflowId(String name, int chunk) {
    return BATCH_ID_PREFIX + name + "/" + chunk;
  }

  /** The batch name in a batch workflow ID, or {@code null} if it is not one (chunks are not). */
  public static String batchNameOf(String workflowId) {
    if (workflowId == null || !workflowId.startsWith(BATCH_ID_PREFIX)) {
      return null;
    }
    String rest = workflowId.substring(BATCH_ID_PREFIX.length());
    return rest.contains("/") ? null : rest;
  }

  /** Search attributes of sandbox workflows (all Keyword / KeywordList). */
  public static final class SearchAttributes {
    private SearchAttributes() {}

    public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("SandboxPhase");
    public static final SearchAttributeKey<String> IMAGE = SearchAttributeKey.forKeyword("SandboxImage");
    /** Tags as {@code key=value} entries. */
    public static final SearchAttributeKey<List<String>> TAGS =
        SearchAttributeKey.forKeywordList("SandboxTags");
    /** Names of the volumes the sandbox mounts: how a volume finds the sandboxes attached to it. */
    public static final SearchAttributeKey<List<String>> VOLUMES =
        SearchAttributeKey.forKeywordList("SandboxVolumes");

    /** A batch's state: running, succeeded, failed or cancelled. */
    public static final SearchAttributeKey<String> BATCH_STATE = SearchAttributeKey.forKeyword("BatchState");
    /** Items of a batch with an outcome, updated as its chunks finish. */
    public static final SearchAttributeKey<Long> BATCH_DONE = SearchAttributeKey.forLong("BatchItemsDone");

    /** Name → type, as a namespace must register them (OperatorService, test environments). */
    public static final java.util.Map<String, io.temporal.api.enums.v1.IndexedValueType> DEFINITIONS =
        java.util.Map.of(
            PHASE.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            IMAGE.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            TAGS.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
            VOLUMES.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
            BATCH_STATE.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            BATCH_DONE.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT);
  }

  /** Signal a child sandbox workflow sends its parent on every phase change. */
  public static final String SANDBOX_EVENT_SIGNAL = "__sandboxes_sandbox_event";

  /** Label and annotation keys on platform objects (pods, network policies, volumes). */
  public static final class Labels {
    private Labels() {}

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "sandboxes-for-temporal";
    public static final String SANDBOX = "sandboxes.dev/sandbox";
    public static final String VOLUME = "sandboxes.dev/volume";
    /** What a pod is for, when it is not a sandbox: {@link #VOLUME_HELPER_ROLE}. */
    public static final String ROLE = "sandboxes.dev/role";
    /** Role of the short-lived pods that serve a volume's file API (with {@link #VOLUME}). */
    public static final String VOLUME_HELPER_ROLE = "volume-helper";
    /** Prefix of labels that carry a sandbox's tags: {@code tag.sandboxes.dev/<key>}. */
    public static final String TAG_PREFIX = "tag.sandboxes.dev/";
    public static final String OWNER_WORKFLOW_ANNOTATION = "sandboxes.dev/owner-workflow-id";
    public static final String OWNER_RUN_ANNOTATION = "sandboxes.dev/owner-first-run-id";
    public static final String IMAGE_ANNOTATION = "sandboxes.dev/image";
    /** The container that runs the sandbox's main process. */
    public static final String MAIN_CONTAINER = "sandbox";
  }
}
