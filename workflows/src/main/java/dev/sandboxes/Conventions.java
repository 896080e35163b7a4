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

  /** Search attributes of sandbox workflows (all Keyword / KeywordList). */
  public static final class SearchAttributes {
    private SearchAttributes() {}

    public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("SandboxPhase");
    public static final SearchAttributeKey<String> IMAGE = SearchAttributeKey.forKeyword("SandboxImage");
    /** Tags as {@code key=value} entries. */
    public static final SearchAttributeKey<List<String>> TAGS =
        SearchAttributeKey.forKeywordList("SandboxTags");

    /** Name → type, as a namespace must register them (OperatorService, test environments). */
    public static final java.util.Map<String, io.temporal.api.enums.v1.IndexedValueType> DEFINITIONS =
        java.util.Map.of(
            PHASE.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            IMAGE.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            TAGS.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST);
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
