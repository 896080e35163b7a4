package dev.sandboxes.batch;

import java.util.List;

/** Item results of one chunk, in index order (a record, so the list keeps its element type on the wire). */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ItemResults(List<ItemResult> items) {
  /** Copies {@code items}; {@code null} for none. */
  public ItemResults {
    items = items == null ? List.of() : List.copyOf(items);
  }
}
