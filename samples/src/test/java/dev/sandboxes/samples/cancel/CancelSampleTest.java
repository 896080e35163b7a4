package dev.sandboxes.samples.cancel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.samples.EmbeddedStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CancelSampleTest {
  @Test
  void cancellingTheWorkflowTerminatesEverySandboxAndLeavesNoProcess() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (EmbeddedStack stack = EmbeddedStack.create()) {
      CancelSample.register(stack.worker());
      stack.start();
      CancelSample.Outcome outcome = CancelSample.run(stack.client(), true,
          new PrintStream(printed, true, StandardCharsets.UTF_8));
      String shown = printed.toString(StandardCharsets.UTF_8);

      assertEquals(CancelSample.SANDBOXES, outcome.sandboxes().size(), shown);
      for (SandboxStatus sandbox : outcome.sandboxes()) {
        assertEquals(SandboxPhase.TERMINATED, sandbox.phase(), shown);
        assertEquals("Cancelled", sandbox.reason(), shown);
      }
      assertTrue(outcome.stillGoing().isEmpty(), shown);
      assertEquals(0, outcome.processesLeft(), shown);
      assertEquals(0, CancelSample.descendants(), "no process of this JVM outlives the cancel");
    }
  }
}
