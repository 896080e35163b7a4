package dev.sandboxes.samples.fanout;

/**
 * @param limit count the primes in {@code [0, limit)}
 * @param parts how many sandboxes share the work
 * @param parallelism how many of them run at once
 */
public record PrimeCountRequest(long limit, int parts, int parallelism) {}
