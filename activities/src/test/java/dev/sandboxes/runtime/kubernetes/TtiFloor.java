package dev.sandboxes.runtime.kubernetes;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.UUID;

/**
 * Time to interactive's floor: what Temporal alone costs for a sandbox's create → first exec on
 * this machine and server, measured beside the warm pool's figures. A workflow takes the same two
 * steps the sandbox workflow takes (an update-with-start that waits for "running", then an exec
 * update), each doing nothing but one no-op call: as an activity (the sandbox workflow's shape
 * today), as a local activity, or with no call at all (the workflow tasks and the client round
 * trips alone). A sandbox cannot be interactive sooner than the floor of its shape.
 */
final class TtiFloor {
  static final String TASK_QUEUE = "bench-tti-floor";

  /** The shapes measured. */
  enum Shape {
    ACTIVITIES, LOCAL_ACTIVITIES, NO_CALLS
  }

  private TtiFloor() {}

  /** A worker for the floor's workflows on its own task queue, with default worker options. */
  static WorkerFactory startWorker(WorkflowClient client) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(FloorImpl.class);
    worker.registerActivitiesImplementations(new NoopImpl());
    factory.start();
    return factory;
  }

  /** One floor run of the given shape: start and await "running", then one exec; nanoseconds to the exec's answer. */
  static long interactive(WorkflowClient client, Shape shape) {
    Floor stub = client.newWorkflowStub(Floor.class, WorkflowOptions.newBuilder()
        .setTaskQueue(TASK_QUEUE).setWorkflowId("tti-floor-" + UUID.randomUUID())
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL).build());
    long start = System.nanoTime();
    String running = WorkflowClient.executeUpdateWithStart(stub::awaitRunning,
        UpdateOptions.<String>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
        new WithStartWorkflowOperation<>(stub::run, shape));
    String out = stub.exec("x");
    long elapsed = System.nanoTime() - start;
    stub.end();
    if (!"running".equals(running) || !"x".equals(out)) {
      throw new IllegalStateException("the floor answered " + running + ", " + out);
    }
    return elapsed;
  }

  @WorkflowInterface
  public interface Floor {
    @WorkflowMethod(name = "BenchTtiFloor")
    void run(Shape shape);

    @UpdateMethod
    String awaitRunning();

    @UpdateMethod
    String exec(String what);

    @SignalMethod
    void end();
  }

  @ActivityInterface
  public interface Noop {
    String noop(String what);
  }

  public static class NoopImpl implements Noop {
    @Override
    public String noop(String what) {
      return what;
    }
  }

  public static class FloorImpl implements Floor {
    private final Noop activity = Workflow.newActivityStub(Noop.class,
        ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build());
    private final Noop local = Workflow.newLocalActivityStub(Noop.class,
        LocalActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build());
    private Shape shape;
    private boolean ended;

    @Override
    public void run(Shape shape) {
      this.shape = shape;
      Workflow.await(() -> ended);
    }

    private String call(String what) {
      Workflow.await(() -> shape != null); // an update-with-start's update may run before the workflow method
      return switch (shape) {
        case ACTIVITIES -> activity.noop(what);
        case LOCAL_ACTIVITIES -> local.noop(what);
        case NO_CALLS -> what;
      };
    }

    @Override
    public String awaitRunning() {
      return call("running");
    }

    @Override
    public String exec(String what) {
      return call(what);
    }

    @Override
    public void end() {
      ended = true;
    }
  }
}
