package dev.sandboxes.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Waiting for a pod on the gateway's pod informer, shared by the sandboxes (their phases, their
 * deletion) and the volume file API (its helper pods starting). Reads come from the informer's
 * cache; a GET is made only when the cache does not hold the pod.
 */
final class PodWaits {
  private PodWaits() {}

  /** The pod as the informer has it, or from the API server when the informer has not seen it. */
  static Pod currentPod(KubernetesGateway gateway, String name) {
    Pod pod = gateway.cachedPod(name);
    return pod != null ? pod : gateway.getPod(name);
  }

  /**
   * Waits on the informer's events until {@code done} holds for the pod ({@code null} once it is
   * gone) or the deadline passes, and returns the pod as last seen. Never polls: each pass waits
   * for the next event of that pod.
   */
  static Pod awaitPod(KubernetesGateway gateway, String name, Predicate<Pod> done, Instant deadline)
      throws InterruptedException {
    return awaitPod(gateway, name, done, deadline, pod -> currentPod(gateway, pod));
  }

  /** As {@link #awaitPod(KubernetesGateway, String, Predicate, Instant)}, reading the pod with {@code read}. */
  static Pod awaitPod(KubernetesGateway gateway, String name, Predicate<Pod> done, Instant deadline,
      java.util.function.Function<String, Pod> read) throws InterruptedException {
    return await(() -> gateway.nextChange(name), () -> read.apply(name), done, deadline);
  }

  /**
   * Reads with {@code read} until {@code done} holds for what it reads or the deadline passes, and
   * returns the last read; between reads, waits for the future {@code nextChange} gives, taken
   * before each read so that an event between the read and the wait is not missed.
   */
  static <T> T await(java.util.function.Supplier<CompletableFuture<Void>> nextChange,
      java.util.function.Supplier<T> read, Predicate<T> done, Instant deadline) throws InterruptedException {
    while (true) {
      CompletableFuture<Void> change = nextChange.get();
      T value = read.get();
      long remaining = Duration.between(Instant.now(), deadline).toMillis();
      if (done.test(value) || remaining <= 0) {
        return value;
      }
      try {
        change.get(remaining, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException | CancellationException e) {
        // Checked again above; the deadline ends the loop.
      }
    }
  }
}
