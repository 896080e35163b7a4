package dev.sandboxes.workflow.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.Batches;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.workflow.SandboxOptions;
import dev.sandboxes.workflow.Sandboxes;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The author API sends sandboxes to another task queue when {@link SandboxOptions} names one:
 * the callers here run on a queue with no sandbox worker (their children would otherwise loop
 * on an unknown workflow type), and every sandbox, map item and batch runs where the sandbox
 * worker polls.
 */
class OtherTaskQueueTest {
  static final String CALLERS = "callers-without-sandboxes";
  static final SandboxOptions ELSEWHERE = SandboxOptions.onTaskQueue(TaskQueues.DEFAULT);

  final FakeSandboxActivities platform = new FakeSandboxActivities().runToCompletion(spec -> 0);
  TestWorkflowEnvironment env;

  @WorkflowInterface
  public interface Caller {
    @WorkflowMethod
    List<String> call(String how);
  }

  public static class CallerImpl implements Caller {
    @Override
    public List<String> call(String how) {
      SandboxSpec spec = SandboxSpec.builder("busybox:1.36").command("echo", "hi").build();
      return switch (how) {
        case "run" -> List.of(Sandboxes.run(spec, ELSEWHERE).phase().wireName());
        case "map" -> Batches.map(List.of("a", "b", "c"), w -> spec, 2, ELSEWHERE).stream()
            .map(r -> r.phase().wireName()).toList();
        case "batch" -> {
          BatchProgress done = Batches.run(BatchSpec.ofCount(null, spec, 3, 2), ELSEWHERE);
          yield List.of(done.state(), String.valueOf(done.succeeded()));
        }
        default -> throw new IllegalArgumentException(how);
      };
    }
  }

  @BeforeEach
  void start() {
    env = InMemory.unstarted(List.of(), platform);
    env.newWorker(CALLERS).registerWorkflowImplementationTypes(CallerImpl.class);
    env.start();
  }

  @AfterEach
  void close() {
    env.close();
  }

  List<String> call(String how) {
    return env.getWorkflowClient().newWorkflowStub(Caller.class, WorkflowOptions.newBuilder()
        .setTaskQueue(CALLERS).setWorkflowId("caller-" + how).build()).call(how);
  }

  @Test
  void aSandboxRunsOnTheNamedQueue() {
    assertThat(call("run")).containsExactly(SandboxPhase.SUCCEEDED.wireName());
  }

  @Test
  void mapItemsRunOnTheNamedQueue() {
    assertThat(call("map")).containsExactly("succeeded", "succeeded", "succeeded");
    assertThat(platform.objectsCreated()).isEqualTo(3);
  }

  @Test
  void aBatchAndItsItemsRunOnTheNamedQueue() {
    assertThat(call("batch")).containsExactly(BatchProgress.SUCCEEDED, "3");
  }
}
