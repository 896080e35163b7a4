package dev.sandboxes.samples.agent;

import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.Sandboxes;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

public class CodeAgentWorkflowImpl implements CodeAgentWorkflow {
  private final AgentModel model = Workflow.newActivityStub(AgentModel.class, ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofMinutes(2))
      .build());

  @Override
  public AgentTranscript solve(String task, int maxTurns) {
    List<AgentTurn> turns = new ArrayList<>();
    while (turns.size() < maxTurns) {
      AgentStep step = model.next(task, List.copyOf(turns));
      if (step.answers()) {
        return new AgentTranscript(task, turns, step.thought(), step.answer());
      }
      turns.add(runSnippet(step));
    }
    return new AgentTranscript(task, turns, "out of turns", null);
  }

  /**
   * One snippet, one sandbox: nothing a snippet leaves behind (files, processes, imports) can
   * influence the next one, and a snippet that hangs is stopped by the sandbox's TTL.
   */
  private AgentTurn runSnippet(AgentStep step) {
    SandboxResult result = Sandboxes.run(SandboxSpec.builder("python:3.12-slim")
        .command("python3", "-c", step.code())
        .tag("sample", "agent")
        .ttl(Duration.ofMinutes(2))
        .build());
    List<String> output = result.logs().lines().stream().map(LogLine::text).toList();
    return new AgentTurn(step.thought(), step.code(), result.status().name(), result.phase().wireName(),
        result.exitCode(), output);
  }
}
