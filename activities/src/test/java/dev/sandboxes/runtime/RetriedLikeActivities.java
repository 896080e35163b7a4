package dev.sandboxes.runtime;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Set;

/**
 * A runtime whose volume file calls are retried the way the volume workflow's activities retry
 * them: {@code listFiles}, {@code readFile} and {@code writeFile} up to three attempts when they
 * fail with a retryable {@link PlatformException} (one second, then two, between them);
 * {@code moveFile} and everything else once. The runtime itself never retries (its callers
 * do), so a contract test that calls a real cluster's runtime directly goes through this, as
 * production does, and prints each retry so that a run says how often the platform failed.
 */
public final class RetriedLikeActivities {
  static final Set<String> RETRIED = Set.of("listFiles", "readFile", "writeFile");
  static final int ATTEMPTS = 3;

  private RetriedLikeActivities() {}

  public static SandboxRuntime wrap(SandboxRuntime runtime) {
    InvocationHandler handler = (proxy, method, args) -> {
      Duration backoff = Duration.ofSeconds(1);
      for (int attempt = 1; ; attempt++) {
        try {
          return method.invoke(runtime, args);
        } catch (InvocationTargetException e) {
          boolean retryable = e.getCause() instanceof PlatformException p && p.retryable();
          if (!RETRIED.contains(method.getName()) || !retryable || attempt >= ATTEMPTS) {
            throw e.getCause();
          }
          System.out.printf("retrying %s after attempt %d failed: %s%n", method.getName(), attempt,
              e.getCause().getMessage());
          Thread.sleep(backoff.toMillis());
          backoff = backoff.multipliedBy(2);
        }
      }
    };
    return (SandboxRuntime) Proxy.newProxyInstance(SandboxRuntime.class.getClassLoader(),
        new Class<?>[] {SandboxRuntime.class}, handler);
  }
}
