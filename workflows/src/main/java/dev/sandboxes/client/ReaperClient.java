package dev.sandboxes.client;

import dev.sandboxes.reaper.ReapReport;
import dev.sandboxes.reaper.ReapRequest;
import dev.sandboxes.reaper.ReaperWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The orphan reaper from the client side: the Temporal Schedule that runs it on a worker's task
 * queue, and one pass on demand ({@code sandbox reap}).
 */
public final class ReaperClient {
  /** Schedule ID prefix: {@code sandboxes-reaper/<task queue>}. One schedule per task queue. */
  public static final String SCHEDULE_PREFIX = "sandboxes-reaper/";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  private final WorkflowClient client;

  /** A client that manages the reaper's schedules and passes through {@code client}. */
  public ReaperClient(WorkflowClient client) {
    this.client = client;
  }

  /**
   * The ID of the schedule that runs the reaper on {@code taskQueue}: {@link #SCHEDULE_PREFIX} then
   * the queue.
   */
  public static String scheduleId(String taskQueue) {
    return SCHEDULE_PREFIX + taskQueue;
  }

  /**
   * Creates the reaper's schedule for {@code taskQueue}, or brings an existing one's interval,
   * grace and action up to date while keeping its state (an operator's pause holds). Safe to
   * call from every worker at start-up. Returns false when the server has no schedules (the Java
   * test server): then only {@link #reapNow} reaps.
   */
  public boolean ensureSchedule(String taskQueue, Duration interval, Duration grace) {
    ScheduleClient schedules = ScheduleClient.newInstance(client.getWorkflowServiceStubs(),
        ScheduleClientOptions.newBuilder().setNamespace(client.getOptions().getNamespace()).build());
    String id = scheduleId(taskQueue);
    Schedule wanted = Schedule.newBuilder()
        .setAction(ScheduleActionStartWorkflow.newBuilder()
            .setWorkflowType(ReaperWorkflow.class)
            .setArguments(new ReapRequest(false, grace).validated())
            .setOptions(WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(taskQueue)
                .setStaticSummary("orphan reaper of task queue " + taskQueue).build())
            .build())
        .setSpec(ScheduleSpec.newBuilder().setIntervals(List.of(new ScheduleIntervalSpec(interval))).build())
        // A pass still running when the next is due makes the next one unnecessary.
        .setPolicy(SchedulePolicy.newBuilder().setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
            .build())
        .build();
    try {
      schedules.createSchedule(id, wanted, ScheduleOptions.newBuilder().build());
      return true;
    } catch (ScheduleAlreadyRunningException e) {
      schedules.getHandle(id).update(input -> new ScheduleUpdate(Schedule.newBuilder(wanted)
          .setState(input.getDescription().getSchedule().getState()).build()));
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return false;
      }
      throw e;
    } catch (io.temporal.failure.TemporalException e) {
      if (e.getCause() instanceof StatusRuntimeException s
          && s.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return false;
      }
      throw e;
    }
  }

  /** Runs one pass now on the workers of {@code taskQueue} and returns what it found. */
  public ReapReport reapNow(String taskQueue, boolean dryRun, Duration grace) {
    ReapRequest request = new ReapRequest(dryRun, grace).validated();
    ReaperWorkflow pass = client.newWorkflowStub(ReaperWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(scheduleId(taskQueue) + "/manual-" + UUID.randomUUID().toString().substring(0, 8))
        .setTaskQueue(taskQueue)
        .setWorkflowExecutionTimeout(Duration.ofMinutes(15))
        .setStaticSummary((dryRun ? "dry run of the" : "on-demand") + " orphan reaper")
        .build());
    return ClientCalls.call("the reaper workflow disappeared", () -> pass.run(request));
  }
}
