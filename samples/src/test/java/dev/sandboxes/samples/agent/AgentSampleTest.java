package dev.sandboxes.samples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxes.samples.EmbeddedStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentSampleTest {
  @Test
  void theAgentRecoversFromTheFailedSnippetAndAnswersCorrectly() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (EmbeddedStack stack = EmbeddedStack.create()) {
      AgentSample.register(stack.worker());
      stack.start();
      AgentTranscript transcript = AgentSample.run(stack.client(),
          new PrintStream(printed, true, StandardCharsets.UTF_8));
      String shown = printed.toString(StandardCharsets.UTF_8);

      assertEquals("The prime Fibonacci numbers among the first 30 are "
          + "[2, 3, 5, 13, 89, 233, 1597, 28657, 514229]; their sum is 544828.", transcript.answer(), shown);
      List<AgentTurn> turns = transcript.turns();
      assertEquals(List.of("failed", "succeeded", "succeeded"), turns.stream().map(AgentTurn::phase).toList(), shown);
      assertEquals(1, turns.get(0).exitCode());
      assertTrue(turns.get(0).output().stream().anyMatch(l -> l.contains("NameError: name 'math' is not defined")),
          shown);
      assertTrue(turns.get(1).code().startsWith("import math\n"), shown);
      assertEquals(3, turns.stream().map(AgentTurn::sandbox).distinct().count(), "one fresh sandbox per snippet");
    }
  }

  @Test
  void theModelGivesUpOnAnErrorItCannotFix() {
    AgentTurn crashed = new AgentTurn("t", "1/0", "sbx-x", "failed", 1,
        List.of("ZeroDivisionError: division by zero"));
    AgentStep step = new ScriptedModel().next(ScriptedModel.TASK, List.of(crashed));

    assertTrue(step.answers());
    assertEquals("I could not finish: ZeroDivisionError: division by zero", step.answer());
  }
}
