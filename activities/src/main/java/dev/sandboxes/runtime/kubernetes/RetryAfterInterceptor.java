package dev.sandboxes.runtime.kubernetes;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Makes fabric8's request retry wait as long as the API server's {@code Retry-After} asks.
 *
 * <p>fabric8 8.0 retries a request answered 429 or 5xx (and one that failed with an
 * {@code IOException}) up to {@code requestRetryBackoffLimit} times, {@code
 * requestRetryBackoffInterval} × 2<sup>n</sup> apart (100 ms, 200 ms, … by default). It reads
 * {@code Retry-After}, but schedules the next attempt after its own interval only (fabric8io/
 * kubernetes-client#6366 meant to wire the header in; in 8.0.0 the value only reaches a debug
 * log), so a throttled worker comes back after 100 ms when asked for a second or more.
 *
 * <p>This interceptor holds such a failed answer for its {@code Retry-After} before handing it
 * back to fabric8, whose own backoff then adds its interval: the next attempt never leaves sooner
 * than the server asked. It changes nothing else: which answers are retried, and how often, stay
 * fabric8's. A {@code Retry-After} longer than {@link #MAX_WAIT} is waited {@link #MAX_WAIT}, so
 * that the wait stays inside fabric8's per-attempt timeout (the request timeout plus up to 5 s).
 */
final class RetryAfterInterceptor implements Interceptor {
  /** The name it is registered under in the HTTP client. */
  static final String NAME = "sandboxes-retry-after";
  /** The longest wait for one answer. */
  static final Duration MAX_WAIT = Duration.ofSeconds(5);

  @Override
  public CompletableFuture<Boolean> afterFailure(BasicBuilder builder, HttpResponse<?> response,
      RequestTags tags) {
    Duration wait = retryable(response.code()) ? waitFor(response.header("Retry-After"), Instant.now())
        .orElse(Duration.ZERO) : Duration.ZERO;
    if (wait.isZero()) {
      return CompletableFuture.completedFuture(false);
    }
    // false: no re-send from here; fabric8's retry loop decides, once the wait is over
    return CompletableFuture.supplyAsync(() -> false,
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** The answers fabric8 retries, and so the only ones worth holding. */
  static boolean retryable(int code) {
    return code == 429 || code >= 500;
  }

  /**
   * How long a {@code Retry-After} value asks to wait at {@code now}, capped at {@link #MAX_WAIT}:
   * delay-seconds or an HTTP date (RFC 9110 §10.2.3); empty when absent, unparsable or past.
   */
  static Optional<Duration> waitFor(String retryAfter, Instant now) {
    if (retryAfter == null || retryAfter.isBlank()) {
      return Optional.empty();
    }
    Duration wait;
    try {
      wait = Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
    } catch (NumberFormatException e) {
      try {
        wait = Duration.between(now,
            ZonedDateTime.parse(retryAfter.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
    if (wait.isNegative() || wait.isZero()) {
      return Optional.empty();
    }
    return Optional.of(wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait);
  }
}
