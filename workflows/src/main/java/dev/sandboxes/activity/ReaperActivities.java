package dev.sandboxes.activity;

import dev.sandboxes.reaper.ReapReport;
import dev.sandboxes.reaper.ReapRequest;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The orphan reaper's one activity: find this project's objects, look up their owners, remove orphans. */
@ActivityInterface(namePrefix = "Reaper")
public interface ReaperActivities {
  /** One pass; idempotent (removing what is already gone is a no-op), heartbeating while it works. */
  @ActivityMethod
  ReapReport reap(ReapRequest request);
}
