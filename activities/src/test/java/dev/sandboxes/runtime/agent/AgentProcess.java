package dev.sandboxes.runtime.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The real agent binary (built by {@code agent/build.sh}, which {@code bin/test} runs first)
 * started on a loopback port, as a sandbox's first process would be. Fails loudly when the
 * binary is missing: these tests are meant to run wherever the unit tests run.
 */
public final class AgentProcess implements AutoCloseable {
  static final String TOKEN = "unit-test-token-0123456789";

  private final Process process;
  public final AgentEndpoint endpoint;
  final Path stdout;
  final Path stderr;

  private AgentProcess(Process process, AgentEndpoint endpoint, Path stdout, Path stderr) {
    this.process = process;
    this.endpoint = endpoint;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  static Path binary() {
    String configured = System.getProperty("sandboxes.agent.binary");
    Path binary = configured != null ? Paths.get(configured)
        : Paths.get("..", "agent", "target", "sandbox-agent").toAbsolutePath().normalize();
    assertThat(binary).as("the agent binary: build it with agent/build.sh (bin/test does)")
        .isExecutable();
    return binary;
  }

  /** Starts the agent idling (no command) or running {@code command}. */
  static AgentProcess start(Path dir, String... command) throws IOException, InterruptedException {
    return startOn(dir, "127.0.0.1:0", TOKEN, command);
  }

  /** Starts the agent on {@code listen} requiring {@code token}, idling or running {@code command}. */
  public static AgentProcess startOn(Path dir, String listen, String tokenValue, String... command)
      throws IOException, InterruptedException {
    List<String> mode = new ArrayList<>();
    if (command.length == 0) {
      mode.add("--idle");
    } else {
      mode.add("--");
      mode.addAll(List.of(command));
    }
    return startWith(dir, listen, tokenValue, mode);
  }

  /** Starts the agent as a warm pool's pod runs it: nothing until claimed. */
  static AgentProcess startPooled(Path dir) throws IOException, InterruptedException {
    return startPooledOn(dir, "127.0.0.1:0", TOKEN);
  }

  /** A pool pod's agent on {@code listen} requiring {@code token}. */
  public static AgentProcess startPooledOn(Path dir, String listen, String tokenValue)
      throws IOException, InterruptedException {
    return startWith(dir, listen, tokenValue, List.of("--pooled"));
  }

  private static AgentProcess startWith(Path dir, String listen, String tokenValue, List<String> mode)
      throws IOException, InterruptedException {
    Path token = dir.resolve("token");
    Files.writeString(token, tokenValue + "\n");
    Path ready = dir.resolve("ready");
    List<String> argv = new ArrayList<>(List.of(binary().toString(), "run",
        "--token-file", token.toString(), "--listen", listen,
        "--state-dir", dir.resolve("state").toString(), "--ready-file", ready.toString()));
    argv.addAll(mode);
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process process = new ProcessBuilder(argv).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (!Files.exists(ready) || Files.readString(ready).isBlank()) {
      assertThat(process.isAlive()).as("agent alive; stderr: %s", Files.readString(err)).isTrue();
      assertThat(Instant.now()).as("agent ready within 10 s").isBefore(deadline);
      Thread.sleep(10); // waiting for a child process to write a file: nothing to watch on
    }
    URI base = URI.create("http://" + Files.readString(ready).trim());
    return new AgentProcess(process, new AgentEndpoint(base, tokenValue), out, err);
  }

  Process process() {
    return process;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }
}
