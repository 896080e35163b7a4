package dev.sandboxes.samples.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxes.samples.EmbeddedStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FanOutSampleTest {
  @Test
  void theSandboxesPartialCountsAddUpToThePrimesBelowTheLimit() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (EmbeddedStack stack = EmbeddedStack.create()) {
      FanOutSample.register(stack.worker());
      stack.start();
      PrimeCount answer = FanOutSample.run(stack.client(), new PrimeCountRequest(200_000, 5, 3),
          new PrintStream(printed, true, StandardCharsets.UTF_8));

      assertEquals(17_984, answer.primes(), printed.toString(StandardCharsets.UTF_8));
      assertEquals(5, answer.parts().size());
      answer.parts().forEach(part -> assertEquals("succeeded", part.phase()));
      assertEquals(answer.primes(), answer.parts().stream().mapToLong(PrimeCount.Part::primes).sum());
    }
  }

  @Test
  void theLocalCheckKnowsTheSmallCases() {
    assertEquals(0, FanOutSample.primesBelow(2));
    assertEquals(1, FanOutSample.primesBelow(3));
    assertEquals(4, FanOutSample.primesBelow(10));
    assertEquals(148_933, FanOutSample.primesBelow(2_000_000));
  }
}
