package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The command line's shared flags and help, without a server: global flags before or after the
 * command, {@code --help} on every command (none starts anything), {@code dev} and {@code demo}
 * refusing flags they would ignore, and the connection flags the worker also takes.
 */
class GlobalOptionsTest {
  record Run(int code, String out, String err) {}

  static Run sandbox(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SandboxCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void globalFlagsGoBeforeTheCommandAsWellAsAfterIt() {
    Run before = sandbox("--address", "127.0.0.1:1", "list");
    assertThat(before.code()).as(before.err()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(before.err()).startsWith("sandbox: cannot reach Temporal at 127.0.0.1:1");
    // a group's subcommand, and the --flag=value form
    Run group = sandbox("--json", "--address=127.0.0.1:1", "volume", "get", "data");
    assertThat(group.code()).as(group.err()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(group.err()).startsWith("sandbox: cannot reach Temporal at 127.0.0.1:1");
  }

  @Test
  void onlyTheFlagsBeforeTheCommandMove() {
    CommandLine root = new CommandLine(new SandboxCommand());
    assertThat(GlobalOptions.afterTheCommand(new String[] {"--json", "--address", "X", "volume", "ls", "v"}, root))
        .containsExactly("volume", "ls", "--json", "--address", "X", "v");
    // what follows the command is left alone, even an argument of the command's own that looks like a flag
    assertThat(GlobalOptions.afterTheCommand(new String[] {"--address", "X", "exec", "web", "--", "echo", "--json"}, root))
        .containsExactly("exec", "--address", "X", "web", "--", "echo", "--json");
    String[] unchanged = {"exec", "web", "--address", "X", "--", "sh"};
    assertThat(GlobalOptions.afterTheCommand(unchanged, root)).isSameAs(unchanged);
    String[] noCommand = {"--address", "X"};
    assertThat(GlobalOptions.afterTheCommand(noCommand, root)).isSameAs(noCommand);
  }

  @Test
  void everyCommandPrintsItsHelpAndExits0() {
    List<String> paths = new ArrayList<>();
    collect(new CommandLine(new SandboxCommand()), new ArrayList<>(), paths);
    assertThat(paths).contains("worker", "dev", "volume create", "batch run", "pool list");
    for (String path : paths) {
      List<String> args = new ArrayList<>(List.of(path.split(" ")));
      args.add("--help");
      Run run = sandbox(args.toArray(String[]::new));
      assertThat(run.code()).as(path + ": " + run.err()).isZero();
      assertThat(run.out()).as(path).startsWith("Usage: sandbox " + path);
    }
  }

  private static void collect(CommandLine at, List<String> prefix, List<String> paths) {
    at.getSubcommands().forEach((name, sub) -> {
      List<String> path = new ArrayList<>(prefix);
      path.add(name);
      paths.add(String.join(" ", path));
      collect(sub, path, paths);
    });
  }

  @Test
  void generateCompletionPrintsABashAndZshCompletionScript() {
    Run run = sandbox("generate-completion");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("complete -F _complete_sandbox", "volume", "--address", "--tls-ca-path");
  }

  @Test
  void devAndDemoRefuseTheFlagsTheyWouldIgnore() {
    Run dev = sandbox("dev", "--address", "127.0.0.1:7999");
    assertThat(dev.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(dev.err()).startsWith("sandbox: --address does not apply to dev: it starts its own Temporal server");
    Run demo = sandbox("demo", "--namespace", "other");
    assertThat(demo.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(demo.err()).startsWith("sandbox: --namespace does not apply to demo");
  }

  @Command(name = "probe")
  static final class Probe {
    @Mixin GlobalOptions global;
  }

  static GlobalOptions parsed(String... args) {
    return CommandLine.populateCommand(new Probe(), args).global;
  }

  @Test
  void theConnectionFlagsAreTheWorkersSettings() {
    WorkflowServiceStubsOptions plain = parsed("--address", "127.0.0.1:7233").stubsOptions();
    assertThat(plain.getEnableHttps()).isFalse();
    assertThat(plain.getRpcTimeout()).hasSeconds(10);

    WorkflowServiceStubsOptions cloud = parsed("--address", "ns.a1b2c.tmprl.cloud:7233", "--api-key", "secret")
        .stubsOptions();
    assertThat(cloud.getTarget()).isEqualTo("ns.a1b2c.tmprl.cloud:7233");
    assertThat(cloud.getEnableHttps()).isTrue();
    assertThat(cloud.getGrpcMetadataProviders()).singleElement()
        .satisfies(provider -> assertThat(provider.getMetadata().toString()).contains("Bearer secret"));

    assertThat(parsed("--tls").stubsOptions().getEnableHttps()).isTrue();
    assertThat(parsed("--tls-server-name", "temporal.internal").stubsOptions().getChannelInitializer()).isNotNull();
  }

  @Test
  void badTlsMaterialIsAUsageErrorNamingTheFlags() {
    Run half = sandbox("get", "web", "--address", "127.0.0.1:1", "--tls-cert-path", "/nonexistent/cert.pem");
    assertThat(half.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(half.err()).isEqualTo("sandbox: --tls-cert-path and --tls-key-path go together (mutual TLS)\n");
    Run missing = sandbox("get", "web", "--address", "127.0.0.1:1", "--tls-ca-path", "/nonexistent/ca.pem");
    assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).startsWith("sandbox: cannot load the TLS material of --tls-*").contains("/nonexistent/ca.pem");
  }

  @Test
  void aHealthCheckThatMissesUnderLoadIsTriedAgainAndOtherFailuresAreNot() {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    GlobalOptions.healthCheck(() -> {
      if (calls.incrementAndGet() < 3) {
        throw new io.grpc.StatusRuntimeException(io.grpc.Status.DEADLINE_EXCEEDED);
      }
    });
    assertThat(calls).hasValue(3);

    calls.set(0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GlobalOptions.healthCheck(() -> {
      calls.incrementAndGet();
      throw new io.grpc.StatusRuntimeException(io.grpc.Status.UNAVAILABLE);
    })).isInstanceOf(io.grpc.StatusRuntimeException.class);
    assertThat(calls).as("attempts at a server that is not there").hasValue(GlobalOptions.CONNECT_ATTEMPTS);

    calls.set(0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GlobalOptions.healthCheck(() -> {
      calls.incrementAndGet();
      throw new io.grpc.StatusRuntimeException(io.grpc.Status.UNAUTHENTICATED);
    })).isInstanceOf(io.grpc.StatusRuntimeException.class);
    assertThat(calls).as("a refusal is not retried").hasValue(1);
  }
}
