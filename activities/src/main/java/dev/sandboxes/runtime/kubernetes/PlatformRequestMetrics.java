package dev.sandboxes.runtime.kubernetes;

import com.uber.m3.tally.Scope;
import dev.sandboxes.metrics.SandboxMetrics;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts and times every request the runtime's client sends to the Kubernetes API
 * ({@link SandboxMetrics#PLATFORM_REQUESTS}, {@link SandboxMetrics#PLATFORM_LATENCY}), by method
 * (a watching GET as {@code WATCH}), resource ({@code pods}, {@code pods/log}...) and status code
 * of the answer; {@code error} where the HTTP client reports an attempt whose connection failed
 * (fabric8 hands that report the request as built before the interceptors ran, so it carries no
 * pairing header and is counted without a time). The time is to the answer's headers, so a
 * watch or a log stream counts its start, not its length.
 */
final class PlatformRequestMetrics implements Interceptor {
  /** The name it is registered under in the HTTP client. */
  static final String NAME = "sandboxes-request-metrics";
  /**
   * The header that pairs a request with its answer (fabric8 rebuilds the request after the
   * interceptors' {@code before}, under a new ID): a number of this client's own, which the API
   * server ignores.
   */
  static final String HEADER = "X-Sandboxes-Request";
  private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
  /** Requests sent and not answered yet, by {@link #HEADER}: when each left. */
  private final Map<String, Long> sent = new ConcurrentHashMap<>();
  private final Scope scope;

  PlatformRequestMetrics(Scope scope) {
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /**
   * More requests than this waiting for an answer: drop those sent over {@link #STALE_NANOS} ago.
   * An answer's headers come within the request timeout, so such an entry is one whose answer
   * will never be paired (a failed connection, reported without the header).
   */
  static final int MAX_PENDING = 256;
  static final long STALE_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    long now = System.nanoTime();
    if (sent.size() >= MAX_PENDING) {
      sent.values().removeIf(at -> now - at > STALE_NANOS);
    }
    String id = Long.toString(ids.incrementAndGet());
    builder.setHeader(HEADER, id);
    sent.put(id, now);
  }

  /** Requests sent and not yet answered (for tests). */
  int pending() {
    return sent.size();
  }

  @Override
  public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    answered(request, Integer.toString(response.code()));
  }

  @Override
  public void afterConnectionFailure(HttpRequest request, Throwable failure) {
    answered(request, "error");
  }

  private void answered(HttpRequest request, String status) {
    String id = request.header(HEADER);
    Long left = id == null ? null : sent.remove(id);
    String method = method(request);
    String resource = resource(request.uri().getPath());
    Scope tagged = scope.tagged(Map.of(SandboxMetrics.METHOD, method, SandboxMetrics.RESOURCE, resource));
    tagged.tagged(Map.of(SandboxMetrics.STATUS, status)).counter(SandboxMetrics.PLATFORM_REQUESTS).inc(1);
    if (left != null) {
      tagged.timer(SandboxMetrics.PLATFORM_LATENCY).record(com.uber.m3.util.Duration.ofNanos(System.nanoTime() - left));
    }
  }

  /** The method, with a GET that watches as {@code WATCH}. */
  static String method(HttpRequest request) {
    String query = request.uri().getRawQuery();
    if ("GET".equals(request.method()) && query != null && (query.contains("watch=true") || query.contains("watch=1"))) {
      return "WATCH";
    }
    return request.method();
  }

  /**
   * The API resource a path names, without namespace or object names: {@code pods} for
   * {@code /api/v1/namespaces/ns/pods/p}, {@code pods/log} for its log, {@code networkpolicies}
   * for {@code /apis/networking.k8s.io/v1/namespaces/ns/networkpolicies}; {@code other} for what
   * is not an API path (a bounded set of tag values).
   */
  static String resource(String path) {
    if (path == null) {
      return "other";
    }
    String[] parts = path.replaceAll("^/+|/+$", "").split("/");
    int i;
    if (parts.length >= 2 && parts[0].equals("api")) {
      i = 2; // api/v1/...
    } else if (parts.length >= 3 && parts[0].equals("apis")) {
      i = 3; // apis/group/version/...
    } else {
      return "other";
    }
    if (i < parts.length && parts[i].equals("namespaces")) {
      if (i + 2 >= parts.length) {
        return "namespaces"; // the namespaces themselves, or one namespace
      }
      i += 2; // namespaces/<ns>/...
    }
    if (i >= parts.length) {
      return "other";
    }
    String resource = parts[i];
    return i + 2 < parts.length ? resource + "/" + parts[i + 2] : resource;
  }
}
