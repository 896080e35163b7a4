package dev.sandboxes.samples.volumes;

import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.model.VolumeStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.Worker;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A volume pipeline: create a volume, run a producer and a consumer sandbox that share it,
 * print the consumer's summary, check it, and delete the volume so nothing is left behind.
 */
public final class VolumeSample {
  private VolumeSample() {}

  public static void register(Worker worker) {
    worker.registerWorkflowImplementationTypes(VolumePipelineWorkflowImpl.class);
  }

  /**
   * @param volume the name of the volume to create (and delete)
   * @param runtimeRoot the local runtime's directory, to show the volume's storage is gone too;
   *     {@code null} when the worker runs elsewhere
   */
  public static PipelineResult run(WorkflowClient client, String volume, Path runtimeRoot, PrintStream out) {
    VolumeClient volumes = new VolumeClient(client);
    VolumeStatus created = volumes.create(volume, VolumeSpec.defaults());
    out.printf("volume %s: %s%n", volume, created.phase());
    PipelineResult result;
    try {
      VolumeStatus ready = volumes.awaitReady(volume, Duration.ofMinutes(2));
      if (!VolumeState.READY.equals(ready.phase())) {
        throw new IllegalStateException("volume " + volume + " is " + ready.phase() + " (" + ready.reason() + ")");
      }
      out.printf("volume %s: %s%n", volume, ready.phase());
      VolumePipelineWorkflow pipeline = client.newWorkflowStub(VolumePipelineWorkflow.class,
          WorkflowOptions.newBuilder()
              .setWorkflowId(workflowId(volume))
              .setTaskQueue(TaskQueues.DEFAULT)
              // a sample that stalls (a workflow task failing over and over) should fail, not hang
              .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
              .build());
      result = pipeline.run(volume);
      print(out, "producer", result.producer());
      print(out, "consumer", result.consumer());
    } finally {
      VolumeStatus deleted = volumes.delete(volume);
      out.printf("volume %s: %s%n", volume, deleted.phase());
    }

    boolean listed = volumes.list().stream().anyMatch(v -> v.name().equals(volume));
    out.printf("volumes listed afterwards: %s%n", listed ? volume : "none named " + volume);
    boolean storageLeft = runtimeRoot != null && Files.exists(runtimeRoot.resolve("volumes").resolve(volume));
    if (runtimeRoot != null) {
      out.printf("its directory on the local runtime: %s%n", storageLeft ? "STILL THERE" : "gone");
    }
    List<String> expected = expectedSummary();
    List<String> summary = result.consumer().output().subList(1, result.consumer().output().size());
    out.println("summary computed here: " + (expected.equals(summary) ? "match" : "MISMATCH " + expected));
    if (!expected.equals(summary) || listed || storageLeft) {
      throw new IllegalStateException("volume pipeline: summary " + summary + " (expected " + expected
          + "), still listed " + listed + ", storage left " + storageLeft);
    }
    return result;
  }

  /** The pipeline workflow's ID for a volume. */
  public static String workflowId(String volume) {
    return "sample-volumes-" + volume;
  }

  private static void print(PrintStream out, String role, PipelineResult.Stage stage) {
    out.printf("%s  sandbox %s %s, exit %s%n", role, stage.sandbox(), stage.phase(), stage.exitCode());
    stage.output().forEach(line -> out.println("          | " + line));
  }

  /** The consumer's summary lines for the producer's readings, computed here. */
  public static List<String> expectedSummary() {
    TreeMap<String, List<Integer>> bySensor = new TreeMap<>();
    for (int i = 0; i < 1000; i++) {
      bySensor.computeIfAbsent("sensor-" + (i % 4), k -> new ArrayList<>()).add((i * 37) % 101);
    }
    List<String> lines = new ArrayList<>();
    bySensor.forEach((sensor, values) -> lines.add(String.format("%s n=%d sum=%d min=%d max=%d", sensor,
        values.size(), values.stream().mapToInt(Integer::intValue).sum(),
        values.stream().mapToInt(Integer::intValue).min().orElseThrow(),
        values.stream().mapToInt(Integer::intValue).max().orElseThrow())));
    return lines;
  }
}
