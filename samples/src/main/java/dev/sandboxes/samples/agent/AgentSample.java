package dev.sandboxes.samples.agent;

import dev.sandboxes.model.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.Worker;
import java.io.PrintStream;
import java.time.Duration;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A code-interpreter agent: the scripted model proposes Python, each snippet runs in a fresh
 * sandbox, one fails and the model recovers from the error it reads. Prints the transcript and
 * checks the final answer against a computation here.
 */
public final class AgentSample {
  public static final int MAX_TURNS = 6;

  private AgentSample() {}

  public static void register(Worker worker) {
    worker.registerWorkflowImplementationTypes(CodeAgentWorkflowImpl.class);
    worker.registerActivitiesImplementations(new ScriptedModel());
  }

  public static AgentTranscript run(WorkflowClient client, String workflowId, PrintStream out) {
    CodeAgentWorkflow agent = client.newWorkflowStub(CodeAgentWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(TaskQueues.DEFAULT)
        // a sample that stalls (a workflow task failing over and over) should fail, not hang
        .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
        .build());
    out.println("task: " + ScriptedModel.TASK);
    AgentTranscript transcript = agent.solve(ScriptedModel.TASK, MAX_TURNS);
    int n = 0;
    for (AgentTurn turn : transcript.turns()) {
      out.printf("%n[%d] model: %s%n", ++n, turn.thought());
      turn.code().lines().forEach(line -> out.println("    code   | " + line));
      out.printf("    tool   : sandbox %s %s, exit %s%n", turn.sandbox(), turn.phase(), turn.exitCode());
      turn.output().forEach(line -> out.println("    output | " + line));
    }
    out.printf("%n[%d] model: %s%n", ++n, transcript.thought());
    out.println("answer: " + transcript.answer());
    String expected = expectedAnswer();
    boolean match = expected.equals(transcript.answer());
    out.println("computed here: " + expected.substring(expected.indexOf('[')) + " -> " + (match ? "match" : "MISMATCH"));
    if (!match) {
      throw new IllegalStateException("the agent answered \"" + transcript.answer() + "\", expected \"" + expected + "\"");
    }
    return transcript;
  }

  /** The answer to {@link ScriptedModel#TASK}, computed without sandboxes. */
  public static String expectedAnswer() {
    List<BigInteger> primes = new ArrayList<>();
    BigInteger a = BigInteger.ONE;
    BigInteger b = BigInteger.ONE;
    for (int i = 0; i < 30; i++) {
      if (a.isProbablePrime(50)) {
        primes.add(a);
      }
      BigInteger next = a.add(b);
      a = b;
      b = next;
    }
    BigInteger sum = primes.stream().reduce(BigInteger.ZERO, BigInteger::add);
    return "The prime Fibonacci numbers among the first 30 are " + primes + "; their sum is " + sum + ".";
  }
}
