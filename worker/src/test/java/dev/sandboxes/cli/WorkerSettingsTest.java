package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.worker.WorkerApplication;
import io.temporal.testserver.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The worker's Spring settings fail loudly and keep what it bundles: a misspelt
 * {@code sandboxes.*} key stops the start naming it; a {@code --spring.config.location} that
 * names only the user's file keeps the bundled health probes and metrics.
 */
class WorkerSettingsTest {
  @Test
  @Timeout(120) // a worker that accepted the key would run until stopped
  void aMisspeltSettingStopsTheStartNamingIt() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SandboxCommand.execute(new String[] {"worker", "--sandboxes.runtime=local", "--sandboxes.tsk-queue=mine",
        "--server.port=0"}, new PrintWriter(out), new PrintWriter(err));
    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("sandbox: invalid worker configuration: unknown setting sandboxes.tsk-queue");
  }

  @Test
  void anotherConfigLocationKeepsTheBundledProbesAndMetrics() throws Exception {
    int port = DevServer.freePort();
    try (TestServer.PortBoundTestServer temporal = TestServer.createPortBoundServer(port)) {
      Path root = Files.createTempDirectory("worker-settings-");
      Path mine = Files.writeString(root.resolve("mine.yaml"), """
          sandboxes:
            temporal:
              target: 127.0.0.1:%d
            runtime: local
            local:
              isolation: none
              root: %s
          """.formatted(port, root.resolve("runtime")));
      ConfigurableApplicationContext context = WorkerApplication.run("--spring.config.location=file:" + mine,
          "--server.port=0");
      try {
        String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
        HttpClient http = HttpClient.newHttpClient();
        for (String path : new String[] {"/actuator/health/readiness", "/actuator/health/liveness", "/actuator/prometheus"}) {
          HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(answer.statusCode()).as(path).isNotEqualTo(404);
        }
        // and the user's file still decides what it sets
        assertThat(context.getEnvironment().getProperty("sandboxes.runtime")).isEqualTo("local");
        assertThat(context.getEnvironment().getProperty("sandboxes.task-queue")).isEqualTo("sandboxes");
      } finally {
        context.close();
      }
    }
  }
}
