package dev.sandboxes.samples.fanout;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Counts the primes below a limit by fan-out and reduce: the range is split into parts, each
 * part is sieved in its own sandbox, and the workflow adds up the parts' counts.
 */
@WorkflowInterface
public interface PrimeCountWorkflow {
  @WorkflowMethod
  PrimeCount count(PrimeCountRequest request);
}
