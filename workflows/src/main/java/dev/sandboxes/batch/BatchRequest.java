package dev.sandboxes.batch;

/**
 * The input of a batch workflow run: the spec and, after continue-as-new, where the previous run
 * stopped.
 *
 * @param carried counts of the chunks that finished in earlier runs; {@code null} on the first run
 * @param nextChunk the first chunk this run starts
 */
public record BatchRequest(BatchSpec spec, BatchProgress carried, int nextChunk) {
  public static BatchRequest of(BatchSpec spec) {
    return new BatchRequest(spec, null, 0);
  }
}
