package dev.sandboxes.batch;

import dev.sandboxes.model.SandboxPhase;
import java.time.Duration;
import java.util.List;

/**
 * How a batch retries an item, each attempt in a new sandbox (names are never reused: attempt
 * {@code k > 1} of item {@code i} is {@code <batch>-<i>-r<k>}).
 *
 * @param attempts attempts per item in all, 1 (no retry) to 10
 * @param initialBackoff wait before the first retry, doubling up to {@code maxBackoff} (at most
 *     {@link #MAX_BACKOFF})
 * @param retryOn outcomes that retry: a phase ({@code failed}, {@code terminated}), a reason
 *     ({@code OOMKilled}, {@code Error}, {@code ErrImagePull}, ...) or an exit code
 *     ({@code exit:137}); empty means {@code failed}
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff, List<String> retryOn) {
  public static final int MAX_ATTEMPTS = 10;
  public static final Duration MAX_BACKOFF = Duration.ofHours(1);
  public static final int MAX_RETRY_ON = 32;

  /**
   * A {@code null} {@code initialBackoff} is 1 second, a {@code null} {@code maxBackoff} 30
   * seconds, and a {@code null} or empty {@code retryOn} means {@code failed}; null entries are
   * kept so that validation can name them. Nothing is checked here; {@link BatchSpec#validated()}
   * does that.
   */
  public RetryPolicy {
    initialBackoff = initialBackoff == null ? Duration.ofSeconds(1) : initialBackoff;
    maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
    // List.copyOf rejects null elements; keep them so validation can name them.
    retryOn = retryOn == null || retryOn.isEmpty() ? List.of(SandboxPhase.FAILED.wireName())
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(retryOn));
  }

  /** One attempt per item: no retry. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, null, null, null);
  }

  /** {@code attempts} attempts on failure, with the default backoff. */
  public static RetryPolicy attempts(int attempts) {
    return new RetryPolicy(attempts, null, null, null);
  }

  /** True when an item that ended so is retried (attempts left aside). */
  public boolean retries(SandboxPhase phase, String reason, Integer exitCode) {
    return retryOn.contains(phase.wireName())
        || (reason != null && retryOn.contains(reason))
        || (exitCode != null && retryOn.contains("exit:" + exitCode));
  }

  /** The wait before attempt {@code next} (2 or more). */
  public Duration backoff(int next) {
    Duration wait = initialBackoff;
    for (int i = 2; i < next && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }
}
