package dev.sandboxes.batch;

import dev.sandboxes.model.SandboxSpec;
import java.util.List;

/**
 * The input of one chunk of a batch: items {@code [from, to)} with what the batch says about
 * running them. {@code items} and {@code inputs}, when given, hold only this chunk's slice.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkRequest(String batch, int from, int to, List<SandboxSpec> items, SandboxSpec template,
    List<String> inputs, int parallelism, RetryPolicy retry, boolean failFast, int tailLines) {
  /** Copies {@code items} and {@code inputs}; {@code null} stays {@code null} (the chunk has none). */
  public ChunkRequest {
    items = items == null ? null : List.copyOf(items);
    inputs = inputs == null ? null : List.copyOf(inputs);
  }

  /** The spec of attempt {@code attempt} of item {@code index} (a batch-wide index in {@code [from, to)}). */
  public SandboxSpec itemSpec(int index, int attempt) {
    int local = index - from;
    return BatchSpec.itemSpec(batch, items != null ? items.get(local) : template, index,
        inputs != null ? inputs.get(local) : null, attempt);
  }
}
