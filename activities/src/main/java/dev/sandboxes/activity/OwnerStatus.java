package dev.sandboxes.activity;

import java.time.Instant;

/**
 * What Temporal says of an owner workflow ID: whether an execution exists, whether its latest
 * run is open, the first run of its chain, and when it closed.
 *
 * @param status the latest run's status ({@code RUNNING}, {@code TERMINATED}...), or
 *     {@code null} when no execution of that ID exists (never started, or removed by retention)
 * @param firstRunId the first run of the latest chain; empty when the server does not say
 * @param closedAt when the latest run closed; {@code null} while it is open
 */
record OwnerStatus(String status, String firstRunId, Instant closedAt) {
  static final OwnerStatus MISSING = new OwnerStatus(null, "", null);

  boolean exists() {
    return status != null;
  }

  boolean open() {
    return "RUNNING".equals(status);
  }
}
