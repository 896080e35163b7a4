package dev.sandboxes.samples;

import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.Sandbox;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.Sandboxes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

public class FanOutWorkflowImpl implements FanOutWorkflow {
  @Override
  public List<String> run(List<String> inputs) {
    List<String> lines = new ArrayList<>();
    // Fan out: one sandbox per input, all started before any is awaited.
    List<Sandbox> jobs = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      jobs.add(Sandboxes.start(SandboxSpec.builder("busybox:1.36")
          .command("sh", "-c", "echo \"$INPUT\" | tr a-z A-Z; test \"$INPUT\" != fail")
          .env("INPUT", inputs.get(i))
          .tag("sample", "fan-out")
          .ttl(Duration.ofMinutes(5))
          .build()));
    }
    for (Sandbox job : jobs) {
      SandboxResult result = job.awaitCompletion();
      String output = result.logs().lines().stream().map(LogLine::text).collect(Collectors.joining(" "));
      lines.add(String.format("%-18s %-10s exit=%-3s %s", job.name(), result.phase().wireName(),
          result.exitCode(), output));
    }
    // A long-lived tool sandbox: idle until exec'd, terminated when the block ends.
    try (Sandbox tool = Sandboxes.start(SandboxSpec.builder("busybox:1.36").tag("sample", "tool").build())) {
      ExecResult written = tool.exec("sh", "-c", "echo 42 > /tmp/answer");
      ExecResult read = tool.exec("cat", "/tmp/answer");
      lines.add(String.format("%-18s %-10s exit=%-3s %s", tool.name(), "exec",
          written.exitCode() + read.exitCode(), "read back " + read.stdout().trim()));
    }
    return lines;
  }
}
