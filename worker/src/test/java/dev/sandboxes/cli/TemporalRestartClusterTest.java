package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.client.BatchClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Temporal server stopped in the middle of a batch on the rig and started again on the same
 * port and database file: the worker (a production worker process of its own) rides out the
 * outage, the batch completes with every result, and nothing is left on the cluster. The test
 * runs its own {@code temporal server start-dev} with a database file, so the e2e stack's server
 * is not disturbed. e2e profile only; fails, never skips, without the rig or the temporal CLI.
 *
 * <p>When the server stops and for how long it stays down are drawn from a printed seed;
 * {@code -Dsandboxes.e2e.seed=N} replays them.
 */
class TemporalRestartClusterTest {
  static final int ITEMS = Integer.getInteger("sandboxes.e2e.restartItems", 100);
  static final Path LOGS = Path.of(System.getProperty("basedir", "."), "target", "crash-tests");

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aBatchCompletesWithEveryResultWhenTheTemporalServerRestartsMidway() throws Exception {
    Path temporal = EmbeddedStack.onPath("temporal");
    if (temporal == null) {
      fail("the e2e suite needs the temporal CLI on PATH (deploy/e2e.sh puts it there with deploy/temporal-cli.sh)");
    }
    Path kubeconfig = Path.of(Rig.kubeconfig());
    long seed = Long.getLong("sandboxes.e2e.seed", System.nanoTime());
    Random random = new Random(seed);
    String id = UUID.randomUUID().toString().substring(0, 6);
    String queue = "restart-" + id;
    String batch = "restart-" + id;
    int stopAfterDeleted = ITEMS / 5 + random.nextInt(ITEMS * 3 / 10);
    Duration down = Duration.ofMillis(5_000 + random.nextInt(10_000));
    Path dir = LOGS.resolve(queue);
    Files.createDirectories(dir);
    int port = DemoCommand.freePort();
    String address = "127.0.0.1:" + port;
    List<String> server = new ArrayList<>(List.of(temporal.toString(), "server", "start-dev", "--headless",
        "--ip", "127.0.0.1", "--port", String.valueOf(port), "--ui-port", String.valueOf(DemoCommand.freePort()),
        "--db-filename", dir.resolve("temporal.db").toString(), "--log-level", "error"));
    server.addAll(EmbeddedStack.searchAttributeFlags());
    System.out.printf("temporal restart: seed %d, %d items, parallelism %d, server %s stops after %d item pods "
        + "deleted, down %d ms; logs in %s%n", seed, ITEMS, SquareBatch.PARALLELISM, address, stopAfterDeleted,
        down.toMillis(), dir);

    Process temporalServer = startServer(server, dir.resolve("temporal.log"));
    WorkflowServiceStubs stubs = Rig.connect(address);
    WorkerProcess worker = null;
    BatchClient batches = new BatchClient(WorkflowClient.newInstance(stubs), queue);
    boolean done = false;
    try (KubernetesClient admin = Rig.admin(); PodHistory pods = PodHistory.record(admin, batch + "-")) {
      EmbeddedStack.awaitServer(stubs, temporalServer, Duration.ofSeconds(60));
      worker = WorkerProcess.start(address, queue, kubeconfig, dir.resolve("worker.log"));
      worker.awaitPolling(Duration.ofMinutes(2));
      long t0 = System.nanoTime();
      batches.start(SquareBatch.of(batch, ITEMS));

      pods.await(stopAfterDeleted + " item pods deleted", Duration.ofMinutes(4), p -> p.deleted() >= stopAfterDeleted);
      int deletedAtStop = pods.deleted();
      long stopping = System.nanoTime();
      temporalServer.destroy();
      if (!temporalServer.waitFor(60, TimeUnit.SECONDS)) {
        fail("the temporal dev server did not stop within 60 s of SIGTERM");
      }
      double stopSeconds = (System.nanoTime() - stopping) / 1e9;
      Thread.sleep(down.toMillis()); // the outage itself
      int deletedWhileDown = pods.deleted() - deletedAtStop;
      long restarting = System.nanoTime();
      temporalServer = startServer(server, dir.resolve("temporal.log"));
      EmbeddedStack.awaitServer(stubs, temporalServer, Duration.ofSeconds(60));
      double restartSeconds = (System.nanoTime() - restarting) / 1e9;

      BatchProgress progress = batches.awaitDone(batch, Duration.ofMinutes(6)).orElseThrow(
          () -> new AssertionError("the batch did not finish within 6 minutes of the restart: " + batches.progress(batch)));
      done = true;
      double batchSeconds = (System.nanoTime() - t0) / 1e9;
      List<ItemResult> results = batches.results(batch);
      pods.await("every pod of the batch deleted", Duration.ofMinutes(2), p -> p.live().isEmpty());
      PodHistory.Leftovers leftovers = PodHistory.Leftovers.of(admin, batch + "-");
      System.out.printf("temporal restart: stopped at %.1f s after %d pods deleted (SIGTERM took %.1f s), down %.1f s "
              + "(%d pods deleted meanwhile), up again in %.1f s; batch %.0f s, %s; pods created %d, names created "
              + "twice %s; results %d; worker alive throughout: %s; leftovers: %s%n",
          (stopping - t0) / 1e9, deletedAtStop, stopSeconds, down.toMillis() / 1e3, deletedWhileDown, restartSeconds,
          batchSeconds, progress, pods.created(), pods.createdTwice(), results.size(), worker.isAlive(), leftovers);

      SquareBatch.assertEveryItemOnce(progress, results, ITEMS);
      SquareBatch.assertOnePodPerAttempt(results, pods);
      assertThat(worker.isAlive()).as("the worker rode out the outage").isTrue();
      assertThat(leftovers.total()).as("objects left of batch %s: %s", batch, leftovers).isZero();
    } finally {
      if (!done) {
        SquareBatch.cancelAfterFailure(batches, batch, worker);
      }
      if (worker != null) {
        worker.stop();
      }
      stubs.shutdownNow();
      temporalServer.destroy();
      if (!temporalServer.waitFor(30, TimeUnit.SECONDS)) {
        temporalServer.destroyForcibly();
      }
    }
  }

  static Process startServer(List<String> command, Path log) throws IOException {
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }
}
