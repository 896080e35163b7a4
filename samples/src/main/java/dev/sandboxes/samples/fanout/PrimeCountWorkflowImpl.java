package dev.sandboxes.samples.fanout;

import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.Batches;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.SandboxResult;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

public class PrimeCountWorkflowImpl implements PrimeCountWorkflow {
  /**
   * A segmented sieve of {@code [from, to)}: primes up to the square root of {@code to} strike
   * out their multiples inside the part only, so each sandbox does just its share.
   */
  static final String SIEVE = String.join("\n",
      "import math, os",
      "a, b = map(int, os.environ['SANDBOX_INPUT'].split(':'))",
      "r = math.isqrt(max(b - 1, 0))",
      "small = bytearray([1]) * (r + 1)",
      "seg = bytearray([1]) * (b - a)",
      "for p in range(2, r + 1):",
      "    if small[p]:",
      "        small[p * p::p] = bytes(len(range(p * p, r + 1, p)))",
      "        start = max(p * p, (a + p - 1) // p * p)",
      "        seg[start - a::p] = bytes(len(range(start, b, p)))",
      "for n in range(a, min(b, 2)):",
      "    seg[n - a] = 0",
      "print('primes', a, b, sum(seg))");

  @Override
  public PrimeCount count(PrimeCountRequest request) {
    List<long[]> ranges = split(request.limit(), request.parts());
    // Batches.map runs the sandboxes from this workflow and hands back their results in order, so
    // the reduce happens here. SANDBOX_INPUT is the variable batch items get their input in.
    List<SandboxResult> results = Batches.map(ranges, range -> SandboxSpec.builder("python:3.12-slim")
        .command("python3", "-c", SIEVE)
        .env(BatchSpec.INPUT_ENV, range[0] + ":" + range[1])
        .tag("sample", "fanout")
        .ttl(Duration.ofMinutes(5))
        .build(), request.parallelism());

    List<PrimeCount.Part> parts = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < ranges.size(); i++) {
      SandboxResult result = results.get(i);
      long[] range = ranges.get(i);
      if (result.phase() != SandboxPhase.SUCCEEDED) {
        throw ApplicationFailure.newNonRetryableFailure("part " + range[0] + ".." + range[1] + " ended "
            + result.phase().wireName() + " (" + result.status().reason() + "): " + lastLine(result), "PartFailed");
      }
      long primes = parse(lastLine(result), range);
      parts.add(new PrimeCount.Part(range[0], range[1], result.status().name(), result.phase().wireName(), primes));
      total += primes;
    }
    return new PrimeCount(request.limit(), total, parts);
  }

  /** {@code [0, limit)} in {@code parts} contiguous ranges of nearly equal length. */
  static List<long[]> split(long limit, int parts) {
    List<long[]> ranges = new ArrayList<>(parts);
    for (int i = 0; i < parts; i++) {
      ranges.add(new long[] {limit * i / parts, limit * (i + 1) / parts});
    }
    return ranges;
  }

  private static String lastLine(SandboxResult result) {
    List<LogLine> lines = result.logs().lines();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1).text();
  }

  /** Reads {@code primes FROM TO COUNT}, refusing a line about another range. */
  private static long parse(String line, long[] range) {
    String[] words = line.trim().split("\\s+");
    if (words.length != 4 || !words[0].equals("primes") || Long.parseLong(words[1]) != range[0]
        || Long.parseLong(words[2]) != range[1]) {
      throw ApplicationFailure.newNonRetryableFailure("unexpected output for part " + range[0] + ".." + range[1]
          + ": \"" + line + "\"", "PartOutput");
    }
    return Long.parseLong(words[3]);
  }
}
