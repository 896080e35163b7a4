package dev.sandboxes.samples.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.samples.EmbeddedStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeSampleTest {
  @Test
  void theConsumerSummarisesWhatTheProducerWroteAndTheVolumeIsGoneAfterwards() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (EmbeddedStack stack = EmbeddedStack.create()) {
      VolumeSample.register(stack.worker());
      stack.start();
      PipelineResult result = VolumeSample.run(stack.client(), stack.root(),
          new PrintStream(printed, true, StandardCharsets.UTF_8));
      String shown = printed.toString(StandardCharsets.UTF_8);

      assertEquals("succeeded", result.producer().phase(), shown);
      assertEquals(List.of(
          "read 1000 readings; wrote /data/summary.txt",
          "sensor-0 n=250 sum=12515 min=0 max=100",
          "sensor-1 n=250 sum=12473 min=0 max=100",
          "sensor-2 n=250 sum=12532 min=0 max=100",
          "sensor-3 n=250 sum=12490 min=0 max=100"), result.consumer().output(), shown);
      assertTrue(new VolumeClient(stack.client()).list().isEmpty(), shown);
      try (var left = Files.list(stack.root().resolve("volumes"))) {
        assertFalse(left.findAny().isPresent(), "no volume directory is left on the local runtime");
      }
    }
  }
}
