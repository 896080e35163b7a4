package dev.sandboxes.batch;

/**
 * The input of a batch workflow run: the spec and, after continue-as-new, where the previous run
 * stopped.
 *
 * @param carried counts of the chunks that finished in earlier runs; {@code null} on the first run
 * @param nextChunk the first chunk this run starts
 * @param chunksPerRun chunks one run runs before it continues as new; {@code null} for the default (100)
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record BatchRequest(BatchSpec spec, BatchProgress carried, int nextChunk, Integer chunksPerRun) {
  /** The most chunks a run may be asked to start before it continues as new. */
  public static final int MAX_CHUNKS_PER_RUN = 1000;

  /**
   * The request's own rules (the spec has its own): {@code chunksPerRun} 1..{@value
   * #MAX_CHUNKS_PER_RUN}, {@code nextChunk} 0 or more.
   */
  public java.util.List<dev.sandboxes.model.Violation> violations() {
    java.util.List<dev.sandboxes.model.Violation> found = new java.util.ArrayList<>();
    dev.sandboxes.model.Violation.outside("chunksPerRun", chunksPerRun, 1, MAX_CHUNKS_PER_RUN).ifPresent(found::add);
    dev.sandboxes.model.Violation.outside("nextChunk", nextChunk, 0, Integer.MAX_VALUE).ifPresent(found::add);
    return found;
  }

  /** The request of a batch's first run: nothing carried, from chunk 0, the default chunks per run. */
  public static BatchRequest of(BatchSpec spec) {
    return new BatchRequest(spec, null, 0, null);
  }

  /** The request the next run starts with. */
  public BatchRequest continued(BatchProgress progress, int chunk) {
    return new BatchRequest(spec, progress, chunk, chunksPerRun);
  }
}
