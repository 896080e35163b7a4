package dev.sandboxes.cli;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch benchmark's floor: what Temporal itself costs for a batch on this machine and
 * server. A parent keeps {@code parallelism} trivial child workflows running, each of which runs
 * one no-op activity; nothing else. A sandbox batch cannot be faster than this at the same
 * parallelism, so its items per second over the floor's says how much of the possible speed the
 * project's own workflow design uses.
 *
 * <p>The parent continues as new every {@link #CHILDREN_PER_RUN} children (after letting the
 * running ones finish), so any size keeps its history within Temporal's limits.
 */
final class FloorBatch {
  static final String TASK_QUEUE = "bench-floor";
  static final int CHILDREN_PER_RUN = 1000;

  private FloorBatch() {}

  /**
   * A worker for the floor's workflows on its own task queue, with default worker options. (The
   * sandbox worker has 2,000 activity slots from its plugin instead of 200; at the benchmark's
   * parallelism neither runs short.)
   */
  static WorkerFactory startWorker(WorkflowClient client) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(ParentImpl.class, ChildImpl.class);
    worker.registerActivitiesImplementations(new NoopImpl());
    factory.start();
    return factory;
  }

  /** Runs a floor batch of {@code items} children to the end; returns how many succeeded. */
  static int run(WorkflowClient client, String prefix, int items, int parallelism) {
    Parent parent = client.newWorkflowStub(Parent.class, WorkflowOptions.newBuilder()
        .setTaskQueue(TASK_QUEUE).setWorkflowId(prefix).build());
    return parent.run(prefix, 0, items, parallelism, 0);
  }

  @WorkflowInterface
  public interface Parent {
    /** Runs children {@code from} .. {@code items - 1}, {@code parallelism} at a time; returns how many succeeded in this run and the runs it continued into. */
    @WorkflowMethod(name = "BenchFloorBatch")
    int run(String prefix, int from, int items, int parallelism, int succeededBefore);
  }

  @WorkflowInterface
  public interface Child {
    @WorkflowMethod(name = "BenchFloorItem")
    String run(int index);
  }

  @ActivityInterface
  public interface Noop {
    String noop(int index);
  }

  public static class ParentImpl implements Parent {
    @Override
    public int run(String prefix, int from, int items, int parallelism, int succeededBefore) {
      int to = Math.min(items, from + CHILDREN_PER_RUN);
      List<Promise<String>> running = new ArrayList<>();
      int succeeded = succeededBefore;
      int next = from;
      while (next < to || !running.isEmpty()) {
        while (next < to && running.size() < parallelism) {
          Child child = Workflow.newChildWorkflowStub(Child.class, ChildWorkflowOptions.newBuilder()
              .setWorkflowId(prefix + "-" + next)
              .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE)
              .build());
          running.add(Async.function(child::run, next));
          next++;
        }
        Promise.anyOf(running).get();
        for (int i = running.size() - 1; i >= 0; i--) {
          if (running.get(i).isCompleted()) {
            if (running.remove(i).getFailure() == null) {
              succeeded++;
            }
          }
        }
      }
      if (to < items) {
        return Workflow.newContinueAsNewStub(Parent.class).run(prefix, to, items, parallelism, succeeded);
      }
      return succeeded;
    }
  }

  public static class ChildImpl implements Child {
    private final Noop noop = Workflow.newActivityStub(Noop.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30)).build());

    @Override
    public String run(int index) {
      return noop.noop(index);
    }
  }

  public static class NoopImpl implements Noop {
    @Override
    public String noop(int index) {
      return "item " + index;
    }
  }
}
