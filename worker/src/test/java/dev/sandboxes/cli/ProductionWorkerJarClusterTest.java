package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The two jars the worker module builds: {@code sandbox.jar}, the CLI with its development stack
 * (which falls back to Temporal's in-process server), and {@code sandbox-worker.jar}, the
 * production worker, which carries no test server and no test library. The other e2e suites
 * run the production worker from the latter (WorkerProcess, the crash, fault and upgrade tests).
 * In the e2e profile because it reads the packaged jars, which exist after {@code mvn package}.
 */
class ProductionWorkerJarClusterTest {
  static final List<String> TEST_ONLY = List.of("temporal-test-server", "temporal-testing", "cron-utils",
      "junit", "mockito", "assertj");

  @Test
  void theProductionWorkerJarCarriesNoTestServerAndNoTestLibrary() throws IOException {
    List<String> production = libraries(Rig.workerJar());
    assertThat(production).as("libraries of sandbox-worker.jar")
        .isNotEmpty()
        .anySatisfy(lib -> assertThat(lib).startsWith("temporal-sdk-"))
        .noneSatisfy(lib -> assertThat(TEST_ONLY).anySatisfy(t -> assertThat(lib).startsWith(t + "-")));
    // the CLI's jar keeps the in-process server for `sandbox dev` without the temporal CLI
    assertThat(libraries(Rig.workerJar().resolveSibling("sandbox.jar")))
        .anySatisfy(lib -> assertThat(lib).startsWith("temporal-test-server-"));
  }

  @Test
  void theProductionWorkerJarsDevStackWithoutTheTemporalCliSaysWhatToDoInstead() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-jar", Rig.workerJar().toString(), "dev", "--port", "7690", "--runtime", "local")
        .redirectErrorStream(true);
    builder.environment().put("PATH", "/usr/bin:/bin"); // no temporal CLI
    Process dev = builder.start();
    String output = new String(dev.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(dev.waitFor(60, TimeUnit.SECONDS)).as("sandbox dev exited").isTrue();
    assertThat(dev.exitValue()).as(output).isEqualTo(ExitCodes.USAGE);
    assertThat(output).contains("production worker jar").contains("temporal CLI on PATH");
  }

  private static List<String> libraries(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(ZipEntry::getName).filter(n -> n.startsWith("BOOT-INF/lib/"))
          .map(n -> n.substring("BOOT-INF/lib/".length())).toList();
    }
  }
}
