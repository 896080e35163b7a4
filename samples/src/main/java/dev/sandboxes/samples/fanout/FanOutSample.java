package dev.sandboxes.samples.fanout;

import dev.sandboxes.model.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.Worker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.BitSet;

/**
 * Fan-out and reduce: the primes below two million, counted in eight sandboxes (four at a
 * time), added up in the workflow and checked against a sieve run here.
 */
public final class FanOutSample {
  public static final PrimeCountRequest DEFAULT = new PrimeCountRequest(2_000_000, 8, 4);

  private FanOutSample() {}

  public static void register(Worker worker) {
    worker.registerWorkflowImplementationTypes(PrimeCountWorkflowImpl.class);
  }

  /** Runs the workflow, prints each part and the answer; throws when the answer is wrong. */
  public static PrimeCount run(WorkflowClient client, String workflowId, PrimeCountRequest request,
      PrintStream out) {
    PrimeCountWorkflow workflow = client.newWorkflowStub(PrimeCountWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(TaskQueues.DEFAULT)
        // a sample that stalls (a workflow task failing over and over) should fail, not hang
        .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
        .build());
    out.printf("counting the primes below %,d in %d sandboxes, %d at a time...%n",
        request.limit(), request.parts(), request.parallelism());
    long began = System.nanoTime();
    PrimeCount answer = workflow.count(request);
    long millis = (System.nanoTime() - began) / 1_000_000;
    out.printf("%-18s %-10s %-23s %s%n", "SANDBOX", "PHASE", "RANGE", "PRIMES");
    for (PrimeCount.Part part : answer.parts()) {
      out.printf("%-18s %-10s %-23s %,d%n", part.sandbox(), part.phase(),
          String.format("[%,d, %,d)", part.from(), part.to()), part.primes());
    }
    long expected = primesBelow(request.limit());
    out.printf("reduced in the workflow: %,d primes below %,d (%d ms)%n", answer.primes(), request.limit(), millis);
    out.printf("sieved here:             %,d -> %s%n", expected, expected == answer.primes() ? "match" : "MISMATCH");
    if (expected != answer.primes()) {
      throw new IllegalStateException("the sandboxes counted " + answer.primes() + " primes, expected " + expected);
    }
    return answer;
  }

  /** The check, computed without sandboxes: a plain sieve of Eratosthenes. */
  public static long primesBelow(long limit) {
    int n = Math.toIntExact(limit);
    BitSet composite = new BitSet(n);
    for (int p = 2; (long) p * p < n; p++) {
      if (!composite.get(p)) {
        for (int m = p * p; m < n; m += p) {
          composite.set(m);
        }
      }
    }
    return n < 2 ? 0 : n - 2 - composite.get(2, n).cardinality();
  }
}
