package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import com.uber.m3.tally.Scope;
import dev.sandboxes.metrics.SandboxMetrics;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every answer from the API is counted by method, resource and status, and timed. */
class PlatformRequestMetricsTest {
  HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** Answers GET of pod "x" with the pod, anything else 404. */
  String serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      boolean found = exchange.getRequestURI().getPath().endsWith("/pods/x");
      byte[] body = (found ? RetryAfterInterceptorTest.POD
          : "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":404,\"reason\":\"NotFound\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(found ? 200 : 404, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The request counter's value for {@code method}, {@code resource} and {@code status}. */
  static Long count(CapturingReporter reported, String method, String resource, String status) {
    return reported.counters.get(CapturingReporter.key(SandboxMetrics.PLATFORM_REQUESTS, Map.of(
        SandboxMetrics.METHOD, method, SandboxMetrics.RESOURCE, resource, SandboxMetrics.STATUS, status)));
  }

  @Test
  void answersAndRefusalsAreCountedByMethodResourceAndStatusAndTimed() throws Exception {
    String url = serve();
    CapturingReporter reported = new CapturingReporter();
    Scope scope = reported.scope();
    PlatformRequestMetrics metrics = new PlatformRequestMetrics(scope);
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder().withMasterUrl(url).withNamespace("sandboxes").withRequestRetryBackoffLimit(0).build())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(PlatformRequestMetrics.NAME, metrics)).build()) {
      assertThat(client.pods().withName("x").get()).isNotNull();
      assertThat(client.pods().withName("x").get()).isNotNull();
      assertThat(client.pods().withName("gone").get()).isNull();
      catchThrowable(() -> client.persistentVolumeClaims().withName("c").delete());
    }
    scope.close(); // reports
    assertThat(count(reported, "GET", "pods", "200")).isEqualTo(2L);
    assertThat(count(reported, "GET", "pods", "404")).isEqualTo(1L);
    assertThat(count(reported, "DELETE", "persistentvolumeclaims", "404")).isEqualTo(1L);
    assertThat(reported.timers.get(CapturingReporter.key(SandboxMetrics.PLATFORM_LATENCY,
        Map.of(SandboxMetrics.METHOD, "GET", SandboxMetrics.RESOURCE, "pods")))).isEqualTo(3L);
    assertThat(metrics.pending()).as("requests left waiting for an answer").isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "/api/v1/namespaces/sandboxes/pods, pods",
      "/api/v1/namespaces/sandboxes/pods/p, pods",
      "/api/v1/namespaces/sandboxes/pods/p/log, pods/log",
      "/api/v1/namespaces/sandboxes/pods/p/portforward, pods/portforward",
      "/apis/networking.k8s.io/v1/namespaces/sandboxes/networkpolicies/n, networkpolicies",
      "/api/v1/namespaces/sandboxes, namespaces",
      "/api/v1/nodes, nodes",
      "/version, other",
  })
  void theResourceTagNamesNoObjectOrNamespace(String path, String resource) {
    assertThat(PlatformRequestMetrics.resource(path)).isEqualTo(resource);
  }
}
