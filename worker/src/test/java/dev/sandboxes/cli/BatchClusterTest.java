package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.client.BatchClient;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A 500-item batch on the rig (three chunk workflows of at most 200): a pod per item on the real
 * cluster, through the real Temporal server and the in-cluster workers (the chart's Deployment). e2e profile only; fails without the rig.
 */
class BatchClusterTest {
  static final int ITEMS = Integer.getInteger("sandboxes.e2e.batchItems", 500);

  @Test
  void aBatchOfSeveralChunksCompletesWithEveryResult() {
    WorkflowServiceStubs stubs = Rig.temporal();
    try {
      BatchClient batches = new BatchClient(WorkflowClient.newInstance(stubs));
      String name = batches.start(SquareBatch.of("e2e-" + UUID.randomUUID().toString().substring(0, 6), ITEMS));
      long t0 = System.nanoTime();
      BatchProgress done = batches.awaitDone(name, Duration.ofMinutes(40)).orElseThrow(
          () -> new AssertionError("the batch did not finish in 40 minutes: " + batches.progress(name)));
      System.out.printf("%d-item batch on the rig: %.0f s, %s%n", ITEMS, (System.nanoTime() - t0) / 1e9, done);
      assertThat(done.state()).isEqualTo(BatchProgress.SUCCEEDED);
      assertThat(done.succeeded()).isEqualTo(ITEMS);
      List<ItemResult> results = batches.results(name);
      assertThat(results).hasSize(ITEMS);
      for (ItemResult r : results) {
        assertThat(r.tail()).isEqualTo(SquareBatch.expectedTail(r.index()));
      }
    } finally {
      stubs.shutdownNow();
    }
  }
}
