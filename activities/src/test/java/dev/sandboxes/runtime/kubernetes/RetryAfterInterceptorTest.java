package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Retry-After} on a throttled or unavailable API server: what fabric8 8.0 does by itself,
 * and that the runtime's client waits as long as asked before it tries again. Against a tiny
 * local HTTP server that refuses the first request and answers the second; the gap is measured
 * where the requests arrive.
 */
class RetryAfterInterceptorTest {
  static final String POD = """
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","namespace":"sandboxes"},
       "spec":{"containers":[{"name":"main","image":"busybox:1.36"}]},"status":{"phase":"Running",
       "containerStatuses":[{"name":"main","ready":true,"restartCount":0,"image":"busybox:1.36",
       "imageID":"","state":{"running":{"startedAt":"2026-11-30T00:00:00Z"}}}]}}""";

  HttpServer server;
  /** When each request arrived. */
  final List<Instant> arrivals = new CopyOnWriteArrayList<>();
  /** When the refusal went out. */
  volatile Instant refusedAt;

  /** Answers the first request {@code status} with {@code retryAfter}, every later one the pod. */
  void serve(int status, String retryAfter) throws IOException {
    AtomicInteger seen = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      arrivals.add(Instant.now());
      boolean refuse = seen.getAndIncrement() == 0;
      byte[] body = (refuse ? "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
          + status + "}" : POD).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      if (refuse && retryAfter != null) {
        exchange.getResponseHeaders().set("Retry-After", retryAfter);
      }
      if (refuse) {
        refusedAt = Instant.now();
      }
      exchange.sendResponseHeaders(refuse ? status : 200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @BeforeEach
  void noServerYet() {
    server = null;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  Duration retryGap() {
    assertThat(arrivals).as("requests that reached the server").hasSize(2);
    return Duration.between(refusedAt, arrivals.get(1));
  }

  /**
   * Evidence for the interceptor: fabric8 8.0 alone comes back on its own schedule (100 ms at
   * first) however long the server asks it to wait. When this fails, fabric8 honours
   * {@code Retry-After} itself and {@link RetryAfterInterceptor} can go.
   */
  @Test
  void fabric8ByItselfRetriesSoonerThanRetryAfter() throws IOException {
    serve(429, "5");
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder().withMasterUrl(url()).withNamespace("sandboxes").build()).build()) {
      assertThat(client.pods().withName("x").get()).isNotNull();
    }
    assertThat(retryGap()).isLessThan(Duration.ofSeconds(4));
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {429, 503})
  void theRuntimeWaitsOutRetryAfterBeforeTryingAgain(int status, @TempDir Path dir) throws IOException {
    serve(status, "1");
    try (KubernetesRuntime runtime = connectTo(dir)) {
      assertThat(runtime.inspect("x").ref().object()).isEqualTo("x");
    }
    assertThat(retryGap()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void anHttpDateIsWaitedOutToo(@TempDir Path dir) throws IOException {
    serve(429, DateTimeFormatter.RFC_1123_DATE_TIME.format(
        Instant.now().plusSeconds(3).atOffset(ZoneOffset.UTC)));
    try (KubernetesRuntime runtime = connectTo(dir)) {
      assertThat(runtime.inspect("x").ref().object()).isEqualTo("x");
    }
    // HTTP dates have whole seconds: at least 2 of the 3 remain when the answer arrives
    assertThat(retryGap()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void retryAfterIsReadAsSecondsOrAnHttpDateAndCapped() {
    Instant now = Instant.parse("2026-11-30T12:00:00Z");
    assertThat(RetryAfterInterceptor.waitFor("2", now)).contains(Duration.ofSeconds(2));
    assertThat(RetryAfterInterceptor.waitFor(" 1 ", now)).contains(Duration.ofSeconds(1));
    assertThat(RetryAfterInterceptor.waitFor("Mon, 30 Nov 2026 12:00:03 GMT", now)).contains(Duration.ofSeconds(3));
    assertThat(RetryAfterInterceptor.waitFor("3600", now)).contains(RetryAfterInterceptor.MAX_WAIT);
    assertThat(RetryAfterInterceptor.waitFor("0", now)).isEmpty();
    assertThat(RetryAfterInterceptor.waitFor("-1", now)).isEmpty();
    assertThat(RetryAfterInterceptor.waitFor("Mon, 30 Nov 2026 11:59:00 GMT", now)).isEmpty();
    assertThat(RetryAfterInterceptor.waitFor("soon", now)).isEmpty();
    assertThat(RetryAfterInterceptor.waitFor(null, now)).isEmpty();
  }

  @Test
  void onlyAnswersFabric8RetriesAreHeld() {
    assertThat(RetryAfterInterceptor.retryable(429)).isTrue();
    assertThat(RetryAfterInterceptor.retryable(500)).isTrue();
    assertThat(RetryAfterInterceptor.retryable(503)).isTrue();
    assertThat(RetryAfterInterceptor.retryable(404)).isFalse();
    assertThat(RetryAfterInterceptor.retryable(409)).isFalse();
  }

  /** {@link KubernetesRuntime#connect}, the worker's way to a cluster, on a kubeconfig for the server. */
  KubernetesRuntime connectTo(Path dir) throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: local
          cluster: {server: "%s"}
        users:
        - name: u
          user: {token: t}
        contexts:
        - name: local
          context: {cluster: local, user: u, namespace: sandboxes}
        current-context: local
        """.formatted(url()));
    String before = System.getProperty("kubeconfig");
    System.setProperty("kubeconfig", kubeconfig.toString());
    try {
      return KubernetesRuntime.connect(KubernetesRuntimeOptions.defaults());
    } finally {
      if (before == null) {
        System.clearProperty("kubeconfig");
      } else {
        System.setProperty("kubeconfig", before);
      }
    }
  }
}
