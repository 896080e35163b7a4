package dev.sandboxes.samples.fanout;

import java.util.List;

/**
 * The reduced answer and what each part contributed.
 *
 * @param primes the number of primes below {@code limit}, the sum of the parts' counts
 */
public record PrimeCount(long limit, long primes, List<Part> parts) {
  /**
   * One part as its sandbox reported it.
   *
   * @param from first number of the part
   * @param to the part ends before this number
   * @param primes primes in {@code [from, to)}, as the sandbox printed them
   */
  public record Part(long from, long to, String sandbox, String phase, long primes) {}
}
