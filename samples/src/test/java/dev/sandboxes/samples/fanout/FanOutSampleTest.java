package dev.sandboxes.samples.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxes.samples.EmbeddedStack;
import io.temporal.testing.WorkflowReplayer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FanOutSampleTest {
  private static final String WORKFLOW_ID = "test-fanout";
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private EmbeddedStack stack;
  private PrimeCount answer;

  @BeforeAll
  void runTheSample() {
    stack = EmbeddedStack.create();
    FanOutSample.register(stack.worker());
    stack.start();
    answer = FanOutSample.run(stack.client(), WORKFLOW_ID, new PrimeCountRequest(200_000, 5, 3),
        new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  @AfterAll
  void stop() {
    stack.close();
  }

  @Test
  void theSandboxesPartialCountsAddUpToThePrimesBelowTheLimit() {
    String shown = printed.toString(StandardCharsets.UTF_8);
    assertEquals(17_984, answer.primes(), shown);
    assertEquals(5, answer.parts().size(), shown);
    answer.parts().forEach(part -> assertEquals("succeeded", part.phase(), shown));
    assertEquals(answer.primes(), answer.parts().stream().mapToLong(PrimeCount.Part::primes).sum());
  }

  @Test
  void theWorkflowReplaysItsHistory() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(stack.client().fetchHistory(WORKFLOW_ID), PrimeCountWorkflowImpl.class);
  }

  @Test
  void theLocalCheckKnowsTheSmallCases() {
    assertEquals(0, FanOutSample.primesBelow(2));
    assertEquals(1, FanOutSample.primesBelow(3));
    assertEquals(4, FanOutSample.primesBelow(10));
    assertEquals(148_933, FanOutSample.primesBelow(2_000_000));
  }
}
