package dev.sandboxes.samples.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.samples.EmbeddedStack;
import io.temporal.testing.WorkflowReplayer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VolumeSampleTest {
  private static final String VOLUME = "test-data";
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private EmbeddedStack stack;
  private PipelineResult result;

  @BeforeAll
  void runTheSample() {
    stack = EmbeddedStack.create();
    VolumeSample.register(stack.worker());
    stack.start();
    result = VolumeSample.run(stack.client(), VOLUME, stack.root(),
        new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  @AfterAll
  void stop() {
    stack.close();
  }

  @Test
  void theConsumerSummarisesWhatTheProducerWroteIntoTheVolume() {
    assertEquals("succeeded", result.producer().phase(), shown());
    assertEquals(List.of(
        "read 1000 readings; wrote /data/summary.txt",
        "sensor-0 n=250 sum=12515 min=0 max=100",
        "sensor-1 n=250 sum=12473 min=0 max=100",
        "sensor-2 n=250 sum=12532 min=0 max=100",
        "sensor-3 n=250 sum=12490 min=0 max=100"), result.consumer().output(), shown());
  }

  @Test
  void theVolumeIsNeitherListedNorStoredAfterwards() throws Exception {
    assertTrue(new VolumeClient(stack.client()).list().isEmpty(), shown());
    try (var left = Files.list(stack.root().resolve("volumes"))) {
      assertFalse(left.findAny().isPresent(), "no volume directory is left on the local runtime");
    }
  }

  @Test
  void theWorkflowReplaysItsHistory() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(stack.client().fetchHistory(VolumeSample.workflowId(VOLUME)),
        VolumePipelineWorkflowImpl.class);
  }

  private String shown() {
    return printed.toString(StandardCharsets.UTF_8);
  }
}
