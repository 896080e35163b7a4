package dev.sandboxes.samples.cancel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxStatus;
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
class CancelSampleTest {
  private static final String WORKFLOW_ID = "test-cancel";
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private EmbeddedStack stack;
  private CancelSample.Outcome outcome;

  @BeforeAll
  void runTheSample() throws Exception {
    stack = EmbeddedStack.create();
    CancelSample.register(stack.worker());
    stack.start();
    outcome = CancelSample.run(stack.client(), WORKFLOW_ID, true, new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  @AfterAll
  void stop() {
    stack.close();
  }

  @Test
  void everySandboxEndsTerminatedBecauseItWasCancelled() {
    assertEquals(CancelSample.SANDBOXES, outcome.sandboxes().size(), shown());
    for (SandboxStatus sandbox : outcome.sandboxes()) {
      assertEquals(SandboxPhase.TERMINATED, sandbox.phase(), shown());
      assertEquals("Cancelled", sandbox.reason(), shown());
    }
  }

  @Test
  void noSandboxIsListedAsStillGoing() {
    assertTrue(outcome.stillGoing().isEmpty(), shown());
  }

  @Test
  void noSandboxProcessOutlivesTheCancel() {
    assertEquals(0, outcome.processesLeft(), shown());
    assertEquals(0, CancelSample.descendants(), "no process of this JVM outlives the cancel");
  }

  @Test
  void theWorkflowReplaysItsHistory() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(stack.client().fetchHistory(WORKFLOW_ID), LongJobsWorkflowImpl.class);
  }

  private String shown() {
    return printed.toString(StandardCharsets.UTF_8);
  }
}
