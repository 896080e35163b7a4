package dev.sandboxes.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.activity.PoolActivities;
import dev.sandboxes.model.PoolStatus;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.pool.internal.PoolWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keeper of a warm pool over scripted activities: it fills, waits for a claim, fills again;
 * a pool still short after a fill is filled again a minute later; a pool the configuration lost
 * is drained and its keeper ends.
 */
class PoolWorkflowTest {
  TestWorkflowEnvironment env;
  WorkflowClient client;
  final Scripted activities = new Scripted();

  /** Answers fills from a script; awaitChange blocks until the test says a claim happened. */
  static final class Scripted implements PoolActivities {
    final BlockingQueue<Object> fills = new LinkedBlockingQueue<>();
    final BlockingQueue<Object> claims = new LinkedBlockingQueue<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<SandboxOwner> owners = new CopyOnWriteArrayList<>();

    @Override
    public PoolStatus fill(String pool, SandboxOwner owner) {
      calls.add("fill " + pool);
      owners.add(owner);
      return next(fills);
    }

    @Override
    public PoolStatus awaitChange(String pool) {
      calls.add("await " + pool);
      return next(claims);
    }

    @Override
    public int drain(String pool) {
      calls.add("drain " + pool);
      return 2;
    }

    /** The next scripted answer: a status to return or a failure to throw. */
    private static PoolStatus next(BlockingQueue<Object> queue) {
      try {
        Object next = queue.poll(20, TimeUnit.SECONDS);
        if (next == null) {
          throw new IllegalStateException("the test scripted nothing more");
        }
        if (next instanceof RuntimeException e) {
          throw e;
        }
        return (PoolStatus) next;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static PoolStatus status(int ready, int starting, int claimed) {
    return new PoolStatus("small", "busybox:1.36", 3, ready, starting, claimed);
  }

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("pools");
    worker.registerWorkflowImplementationTypes(PoolWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  PoolWorkflow keeper() {
    return client.newWorkflowStub(PoolWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue("pools").setWorkflowId(WorkflowIds.poolWorkflowId("small")).build());
  }

  void awaitCalls(int n) throws InterruptedException {
    for (int i = 0; i < 200 && activities.calls.size() < n; i++) {
      Thread.sleep(50); // the activities run on the worker's threads: nothing to wait on here
    }
    assertThat(activities.calls).hasSizeGreaterThanOrEqualTo(n);
  }

  @Test
  void itFillsWaitsForAClaimAndFillsAgainAndAnswersItsLastCounts() throws Exception {
    PoolWorkflow keeper = keeper();
    activities.fills.add(status(0, 3, 0));
    WorkflowClient.start(keeper::run, "small");
    awaitCalls(2);
    activities.claims.add(status(3, 0, 0)); // its pods became ready
    activities.fills.add(status(3, 0, 0));
    awaitCalls(4);
    assertThat(keeper.status()).isEqualTo(status(3, 0, 0));
    activities.claims.add(status(2, 0, 1)); // a sandbox claimed one
    activities.fills.add(status(2, 1, 1));
    awaitCalls(6);

    assertThat(activities.calls).startsWith("fill small", "await small", "fill small", "await small", "fill small",
        "await small");
    assertThat(activities.owners).as("its pods' owner: the keeper's workflow ID and first run")
        .allMatch(o -> o.workflowId().equals("pool/small") && o.firstRunId() != null)
        .extracting(SandboxOwner::firstRunId).containsOnly(activities.owners.get(0).firstRunId());
    assertThat(keeper.status()).isEqualTo(status(2, 1, 1));
    WorkflowStub.fromTyped(keeper).terminate("test over");
  }

  @Test
  void aPoolStillShortAfterItsRefillRateIsFilledAgainAMinuteLater() throws Exception {
    PoolWorkflow keeper = keeper();
    activities.fills.add(status(0, 1, 0)); // the refill rate made only one of three
    activities.fills.add(status(1, 2, 0));
    long before = env.currentTimeMillis();
    WorkflowClient.start(keeper::run, "small");
    awaitCalls(1);
    env.sleep(Duration.ofSeconds(59));
    assertThat(activities.calls).as("no fill before the minute is up").containsExactly("fill small");
    env.sleep(Duration.ofSeconds(2));
    awaitCalls(3);

    assertThat(activities.calls).startsWith("fill small", "fill small", "await small");
    assertThat(env.currentTimeMillis() - before).as("a minute between the fills")
        .isGreaterThanOrEqualTo(Duration.ofMinutes(1).toMillis());
    WorkflowStub.fromTyped(keeper).terminate("test over");
  }

  @Test
  void aPoolTheConfigurationLostIsDrainedAndItsKeeperEnds() {
    PoolWorkflow keeper = keeper();
    activities.fills.add(ApplicationFailure.newNonRetryableFailure("no warm pool named \"small\"", SandboxErrors.NOT_FOUND));

    keeper.run("small");

    assertThat(activities.calls).containsExactly("fill small", "drain small");
    assertThat(new ArrayList<>(activities.calls)).doesNotContain("await small");
  }

  @Test
  void aPoolLostFromTheConfigurationWhileItsKeeperWaitsIsDrainedToo() {
    PoolWorkflow keeper = keeper();
    activities.fills.add(status(3, 0, 0));
    activities.claims.add(ApplicationFailure.newNonRetryableFailure("no warm pool named \"small\"", SandboxErrors.NOT_FOUND));

    keeper.run("small");

    assertThat(activities.calls).containsExactly("fill small", "await small", "drain small");
  }
}
