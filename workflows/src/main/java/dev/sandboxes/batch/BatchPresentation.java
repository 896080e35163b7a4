package dev.sandboxes.batch;

import dev.sandboxes.workflow.SearchAttributeKeys;

/** How a batch shows itself in Temporal: its search attributes at start and its static summary. */
public final class BatchPresentation {
  private BatchPresentation() {}

  /** Search attributes to start a batch workflow with: state {@code running} and no items done. */
  public static io.temporal.common.SearchAttributes initialSearchAttributes() {
    return io.temporal.common.SearchAttributes.newBuilder()
        .set(SearchAttributeKeys.BATCH_STATE, BatchProgress.RUNNING)
        .set(SearchAttributeKeys.BATCH_DONE, 0L)
        .build();
  }

  /** Items, parallelism and the image of the first item, at most 200 bytes. */
  public static String staticSummary(BatchSpec spec) {
    String image = spec.template() != null ? spec.template().image()
        : spec.items() == null || spec.items().isEmpty() ? "?" : spec.items().get(0).image();
    String summary = spec.size() + " items of " + image + ", " + spec.parallelism() + " at a time"
        + (spec.retry().attempts() > 1 ? ", " + spec.retry().attempts() + " attempts" : "")
        + (spec.failFast() ? ", fail-fast" : "");
    return summary.length() <= 200 ? summary : summary.substring(0, 197) + "...";
  }
}
