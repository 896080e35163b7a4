package dev.sandboxes.samples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxes.samples.EmbeddedStack;
import io.temporal.testing.WorkflowReplayer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentSampleTest {
  private static final String WORKFLOW_ID = "test-agent";
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private EmbeddedStack stack;
  private AgentTranscript transcript;

  @BeforeAll
  void runTheSample() {
    stack = EmbeddedStack.create();
    AgentSample.register(stack.worker());
    stack.start();
    transcript = AgentSample.run(stack.client(), WORKFLOW_ID, new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  @AfterAll
  void stop() {
    stack.close();
  }

  @Test
  void theAgentAnswersFromTheToolsOutput() {
    assertEquals("The prime Fibonacci numbers among the first 30 are "
        + "[2, 3, 5, 13, 89, 233, 1597, 28657, 514229]; their sum is 544828.", transcript.answer(), shown());
  }

  @Test
  void theFirstSnippetFailsAndTheAgentRecoversByImportingWhatWasMissing() {
    List<AgentTurn> turns = transcript.turns();
    assertEquals(List.of("failed", "succeeded", "succeeded"), turns.stream().map(AgentTurn::phase).toList(), shown());
    assertEquals(1, turns.get(0).exitCode());
    assertTrue(turns.get(0).output().stream().anyMatch(l -> l.contains("NameError: name 'math' is not defined")),
        shown());
    assertEquals("import math\n" + turns.get(0).code(), turns.get(1).code());
  }

  @Test
  void everySnippetRunsInAFreshSandbox() {
    assertEquals(transcript.turns().size(), transcript.turns().stream().map(AgentTurn::sandbox).distinct().count(),
        shown());
  }

  @Test
  void theWorkflowReplaysItsHistory() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(stack.client().fetchHistory(WORKFLOW_ID), CodeAgentWorkflowImpl.class);
  }

  @Test
  void theModelGivesUpOnAnErrorItCannotFix() {
    AgentTurn crashed = new AgentTurn("t", "1/0", "sbx-x", "failed", 1,
        List.of("ZeroDivisionError: division by zero"));
    AgentStep step = new ScriptedModel().next(ScriptedModel.TASK, List.of(crashed));

    assertTrue(step.answers());
    assertEquals("I could not finish: ZeroDivisionError: division by zero", step.answer());
  }

  private String shown() {
    return printed.toString(StandardCharsets.UTF_8);
  }
}
