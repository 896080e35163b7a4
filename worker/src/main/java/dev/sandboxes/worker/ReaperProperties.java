package dev.sandboxes.worker;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The orphan reaper ({@code sandboxes.reaper.*}): a Temporal Schedule per task queue that the
 * worker creates (or updates, keeping a pause) at start-up. See
 * {@link dev.sandboxes.reaper.ReaperWorkflow}.
 *
 * @param enabled create or update the schedule at start-up
 * @param interval how often a pass runs
 * @param grace how long an owner must have been closed before its objects are removed
 */
public record ReaperProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("30s") Duration interval,
    @DefaultValue("30s") Duration grace) {}
