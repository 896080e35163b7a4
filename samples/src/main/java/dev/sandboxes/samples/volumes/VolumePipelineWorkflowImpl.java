package dev.sandboxes.samples.volumes;

import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.Sandboxes;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;

public class VolumePipelineWorkflowImpl implements VolumePipelineWorkflow {
  static final String MOUNT = "/data";

  /** 1000 readings from four sensors, the same on every run so the result can be checked. */
  static final String PRODUCER = String.join("\n",
      "import os",
      "with open('/data/readings.csv', 'w') as f:",
      "    f.write('sensor,value\\n')",
      "    for i in range(1000):",
      "        f.write(f'sensor-{i % 4},{(i * 37) % 101}\\n')",
      "print('wrote /data/readings.csv,', os.path.getsize('/data/readings.csv'), 'bytes')");

  /** Per sensor: how many readings, their sum, minimum and maximum; kept in the volume too. */
  static final String CONSUMER = String.join("\n",
      "import csv",
      "stats = {}",
      "with open('/data/readings.csv') as f:",
      "    for row in csv.DictReader(f):",
      "        s = stats.setdefault(row['sensor'], [])",
      "        s.append(int(row['value']))",
      "lines = [f'{k} n={len(v)} sum={sum(v)} min={min(v)} max={max(v)}' for k, v in sorted(stats.items())]",
      "with open('/data/summary.txt', 'w') as f:",
      "    f.write('\\n'.join(lines) + '\\n')",
      "print('read', sum(len(v) for v in stats.values()), 'readings; wrote /data/summary.txt')",
      "print('\\n'.join(lines))");

  @Override
  public PipelineResult run(String volume) {
    PipelineResult.Stage producer = stage("producer", volume, PRODUCER);
    PipelineResult.Stage consumer = stage("consumer", volume, CONSUMER);
    return new PipelineResult(producer, consumer);
  }

  /** One stage in its own sandbox with the volume at {@link #MOUNT}; a failed stage stops the pipeline. */
  private static PipelineResult.Stage stage(String role, String volume, String program) {
    SandboxResult result = Sandboxes.run(SandboxSpec.builder("python:3.12-slim")
        .command("python3", "-c", program)
        .volume(MOUNT, volume)
        .tag("sample", "volumes")
        .tag("stage", role)
        .ttl(Duration.ofMinutes(5))
        .build());
    PipelineResult.Stage stage = new PipelineResult.Stage(result.status().name(), result.phase().wireName(),
        result.exitCode(), result.logs().lines().stream().map(LogLine::text).toList());
    if (result.phase() != SandboxPhase.SUCCEEDED) {
      throw ApplicationFailure.newNonRetryableFailure("the " + role + " sandbox " + stage.sandbox() + " ended "
          + stage.phase() + " (" + result.status().reason() + "): " + String.join(" | ", stage.output()),
          "StageFailed");
    }
    return stage;
  }
}
