package dev.sandboxes.workflow;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import java.util.List;
import java.util.Map;

/**
 * The search attributes of sandbox and batch workflows (Keyword and KeywordList, the batch's item
 * count Int): set by the workflows, read by the clients and the Temporal UI, registered on a
 * namespace from {@link #DEFINITIONS}.
 */
public final class SearchAttributeKeys {
  private SearchAttributeKeys() {}

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
  public static final Map<String, IndexedValueType> DEFINITIONS = Map.of(
      PHASE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      IMAGE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      TAGS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      VOLUMES.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      BATCH_STATE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      BATCH_DONE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_INT);
}
