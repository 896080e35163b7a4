package dev.sandboxes.activity;

import dev.sandboxes.reaper.ReapReport;
import dev.sandboxes.reaper.ReapRequest;
import dev.sandboxes.reaper.ReapedObject;
import dev.sandboxes.runtime.OwnedObject;
import dev.sandboxes.runtime.SandboxRuntime;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orphan reaper over any {@link SandboxRuntime}: lists this project's objects, describes
 * each owner workflow once, applies {@link OrphanRule}, and removes the orphans: pods and
 * directories first, then volumes, so a volume whose only users are being removed in the same
 * pass goes too. An owner that cannot be looked up keeps its objects (and is reported).
 */
public class ReaperActivitiesImpl implements ReaperActivities {
  private static final Logger log = LoggerFactory.getLogger(ReaperActivitiesImpl.class);

  private final SandboxRuntime runtime;
  private final Function<String, OwnerStatus> owners;

  /** Owners are described through the worker's own client. */
  public ReaperActivitiesImpl(SandboxRuntime runtime) {
    this(runtime, null);
  }

  ReaperActivitiesImpl(SandboxRuntime runtime, Function<String, OwnerStatus> owners) {
    this.runtime = runtime;
    this.owners = owners;
  }

  @Override
  public ReapReport reap(ReapRequest request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Function<String, OwnerStatus> lookup = owners != null ? owners
        : id -> describe(context.getWorkflowClient(), id);
    return ActivityCalls.call(() -> pass(request, lookup, context::heartbeat));
  }

  interface Progress {
    void beat(Object details);
  }

  ReapReport pass(ReapRequest request, Function<String, OwnerStatus> lookup, Progress progress) {
    Instant now = Instant.now();
    List<OwnedObject> objects = runtime.ownedObjects();
    Map<String, OwnerStatus> seen = new HashMap<>();
    List<String> errors = new ArrayList<>();
    // orphan → why, in listing order
    Map<OwnedObject, String> orphans = new java.util.LinkedHashMap<>();
    int kept = 0;
    for (OwnedObject object : objects) {
      Optional<String> why = Optional.empty();
      if (object.hasOwner()) {
        String id = object.owner().workflowId();
        OwnerStatus owner = seen.get(id);
        if (owner == null && !seen.containsKey(id)) {
          try {
            owner = lookup.apply(id);
          } catch (RuntimeException e) {
            errors.add("cannot look up owner workflow " + id + ": " + e.getMessage());
          }
          seen.put(id, owner);
          progress.beat(seen.size());
        }
        why = owner == null ? Optional.empty() : OrphanRule.why(object, owner, now, request.effectiveGrace());
      }
      if (why.isPresent()) {
        orphans.put(object, why.get());
      } else {
        kept++;
      }
    }
    // A volume stays while a sandbox that is not removed in this pass still mounts it.
    Set<String> leaving = new HashSet<>();
    orphans.keySet().stream().filter(o -> !isVolume(o)).forEach(o -> leaving.add(o.name()));
    List<ReapedObject> removed = new ArrayList<>();
    // pods, policies and directories first, volumes last (a stable sort keeps the listing order)
    List<OwnedObject> ordered = orphans.keySet().stream()
        .sorted(java.util.Comparator.comparing(ReaperActivitiesImpl::isVolume)).toList();
    for (OwnedObject o : ordered) {
      List<String> staying = o.usedBy().stream().filter(user -> !leaving.contains(user)).toList();
      if (!staying.isEmpty()) {
        kept++;
        continue;
      }
      ReapedObject reaped = new ReapedObject(o.kind(), o.name(), o.owner().workflowId(),
          o.owner().firstRunId(), orphans.get(o));
      if (request.dryRun()) {
        removed.add(reaped);
        continue;
      }
      try {
        if (runtime.deleteOwned(o)) {
          removed.add(reaped);
          log.info("reaped {} {}: {}", o.kind(), o.name(), reaped.why());
        }
      } catch (RuntimeException e) {
        errors.add("cannot remove " + o.kind() + " " + o.name() + ": " + e.getMessage());
      }
      progress.beat(removed.size());
    }
    return new ReapReport(request.dryRun(), removed, kept, errors);
  }

  private static boolean isVolume(OwnedObject o) {
    return OwnedObject.VOLUME_CLAIM.equals(o.kind()) || OwnedObject.LOCAL_VOLUME.equals(o.kind());
  }

  /** The owner's latest run as the server describes it; {@link OwnerStatus#MISSING} when none exists. */
  static OwnerStatus describe(WorkflowClient client, String workflowId) {
    try {
      WorkflowExecutionInfo info = client.getWorkflowServiceStubs().blockingStub()
          .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(client.getOptions().getNamespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId).build())
              .build())
          .getWorkflowExecutionInfo();
      String status = info.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "");
      Instant closedAt = info.hasCloseTime() && info.getCloseTime().getSeconds() > 0
          ? Instant.ofEpochSecond(info.getCloseTime().getSeconds(), info.getCloseTime().getNanos())
          : null;
      return new OwnerStatus(status, info.getFirstRunId(), closedAt);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return OwnerStatus.MISSING;
      }
      throw e;
    }
  }
}
