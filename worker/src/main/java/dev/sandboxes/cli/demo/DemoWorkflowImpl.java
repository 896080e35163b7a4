package dev.sandboxes.cli.demo;

import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.Sandbox;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.Sandboxes;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

public class DemoWorkflowImpl implements DemoWorkflow {
  @Override
  public List<Row> run(int count) {
    String batch = Workflow.getInfo().getWorkflowId();
    List<Sandbox> boxes = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      // Each sandbox sums 1..(i*1000) in its own shell, and says where it ran.
      boxes.add(Sandboxes.start(SandboxSpec.builder("busybox:1.36")
          .command("sh", "-c", "n=$((N*1000)); s=0; i=1; while [ $i -le $n ]; do s=$((s+i)); i=$((i+1)); done; "
              + "echo \"sum(1..$n)=$s on $(hostname)\"")
          .env("N", String.valueOf(i))
          .tag("demo", batch)
          .cpu("100m").memory("64Mi")
          .ttl(Duration.ofMinutes(5))
          .build()));
    }
    List<Row> rows = new ArrayList<>();
    for (Sandbox box : boxes) {
      SandboxResult r = box.awaitCompletion();
      rows.add(new Row(box.name(), r.phase().wireName(), r.exitCode(),
          r.logs().lines().stream().map(LogLine::text).collect(Collectors.joining(" | "))));
    }
    return rows;
  }
}
