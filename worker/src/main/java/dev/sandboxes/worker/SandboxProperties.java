package dev.sandboxes.worker;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bounds on every sandbox this worker runs ({@code sandboxes.sandbox.*}); see
 * {@link dev.sandboxes.workflow.SandboxLimits}.
 *
 * @param maxLifetime the pod deadline of a sandbox without a TTL, and the longest TTL accepted
 * @param scheduleTimeout how long a sandbox may stay queued, unless its spec says otherwise
 * @param startupTimeout how long a sandbox may stay creating, unless its spec says otherwise
 */
public record SandboxProperties(
    @DefaultValue("24h") Duration maxLifetime,
    @DefaultValue("15m") Duration scheduleTimeout,
    @DefaultValue("10m") Duration startupTimeout) {

  dev.sandboxes.workflow.SandboxLimits limits() {
    return new dev.sandboxes.workflow.SandboxLimits(maxLifetime, scheduleTimeout, startupTimeout);
  }
}
