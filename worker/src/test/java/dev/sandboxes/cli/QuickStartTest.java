package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What makes a command start quickly changes nothing a user sees: the tree of the one command
 * named answers as the whole tree does (help, usage errors, the version), a command that
 * connected leaves no I/O thread behind (a JVM waits 300 ms at exit for one in native code), and
 * logging configured in code is logback.xml's.
 */
class QuickStartTest {
  record Run(int code, String out, String err) {}

  /** Runs {@code args} on the given tree, as {@link SandboxCommand#execute} does on its own. */
  private static Run on(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    cli.setParameterExceptionHandler((e, argv) -> {
      err.write("sandbox: " + e.getMessage() + "\n");
      return ExitCodes.USAGE;
    });
    int code = cli.execute(GlobalOptions.afterTheCommand(args, cli));
    return new Run(code, out.toString(), err.toString());
  }

  private static List<String> commands() {
    List<String> names = new ArrayList<>();
    for (Class<?> command : SandboxCommand.class.getAnnotation(CommandLine.Command.class).subcommands()) {
      names.add(command.getAnnotation(CommandLine.Command.class).name());
    }
    return names;
  }

  @Test
  void aCommandsOwnTreeAnswersAsTheWholeTreeDoes() {
    List<String> names = commands();
    assertThat(names).hasSize(17).contains("get", "list", "exec", "volume", "generate-completion");
    List<String[]> lines = new ArrayList<>();
    for (String name : names) {
      lines.add(new String[] {name, "--help"});
      lines.add(new String[] {"--json", name, "--help"});
    }
    // usage errors (not on worker, dev or demo, which take their own arguments and would start)
    for (String name : List.of("get", "list", "exec", "logs", "create", "terminate", "wait", "volume", "batch")) {
      lines.add(new String[] {name, "--no-such-flag"});
    }
    for (String name : List.of("get", "exec", "logs", "create", "wait", "volume", "batch")) {
      lines.add(new String[] {name}); // a missing argument or subcommand
    }
    lines.add(new String[] {"volume", "ls"});
    lines.add(new String[] {"--address", "X", "get", "a", "b"});
    for (String[] args : lines) {
      Run lean = on(SandboxCommand.commandLine(args), args);
      Run whole = on(new CommandLine(new SandboxCommand()), args);
      assertThat(lean).as(String.join(" ", args)).isEqualTo(whole);
      assertThat(lean.out() + lean.err()).as(String.join(" ", args)).isNotBlank();
    }
    // only the named command is built; help, the version, a typo and the completion script get all
    assertThat(SandboxCommand.commandLine(new String[] {"--address", "X", "get", "a"}).getSubcommands())
        .containsOnlyKeys("get");
    for (String[] args : List.of(new String[] {}, new String[] {"--help"}, new String[] {"--version"},
        new String[] {"gett", "a"}, new String[] {"generate-completion"})) {
      assertThat(SandboxCommand.commandLine(args).getSubcommands()).as(String.join(" ", args)).hasSize(17);
    }
  }

  @Test
  void theVersionAnswersAsPicocliPrintsIt() {
    StringWriter out = new StringWriter();
    new CommandLine(new SandboxCommand()).printVersionHelp(new PrintWriter(out, true));
    assertThat(out.toString()).isEqualTo(String.join(System.lineSeparator(),
        new SandboxCommand.Version().getVersion()) + System.lineSeparator());
  }

  @Test
  void aCommandThatConnectedLeavesNoIoThreadBehind() throws Exception {
    int port;
    try (ServerSocket nothing = new ServerSocket(0)) {
      port = nothing.getLocalPort();
    }
    StringWriter err = new StringWriter();
    int code = SandboxCommand.execute(new String[] {"list", "--address", "127.0.0.1:" + port},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(err.toString()).startsWith("sandbox: cannot reach Temporal at 127.0.0.1:" + port);
    // the loop's termination is signalled just before its thread returns: give it a moment
    for (Thread io : Thread.getAllStackTraces().keySet()) {
      if (io.getName().startsWith("sandbox-cli-io")) {
        io.join(2000);
      }
    }
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("sandbox-cli-io") && t.isAlive());
  }

  @Test
  void loggingConfiguredInCodeIsLogbackXmls() throws Exception {
    LoggerContext fromXml = new LoggerContext();
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(fromXml);
    joran.doConfigure(QuickStartTest.class.getClassLoader().getResource("logback.xml"));
    LoggerContext fromCode = new LoggerContext();
    CliLogging configurator = new CliLogging();
    configurator.setContext(fromCode);
    configurator.configure(fromCode);
    for (String logger : List.of("ROOT", "dev.sandboxes", "dev.sandboxes.cli", "io.temporal",
        "io.temporal.internal.worker.ActivityWorker", "io.grpc")) {
      assertThat(fromCode.getLogger(logger).getEffectiveLevel()).as(logger)
          .isEqualTo(fromXml.getLogger(logger).getEffectiveLevel());
    }
    assertThat(fromCode.getLogger("ROOT").getEffectiveLevel())
        .isEqualTo(Level.toLevel(System.getenv().getOrDefault("SANDBOX_LOG_LEVEL", "WARN")));
    var xmlAppender = (ConsoleAppender<?>) fromXml.getLogger("ROOT").getAppender("STDERR");
    var codeAppender = (ConsoleAppender<?>) fromCode.getLogger("ROOT").getAppender("STDERR");
    assertThat(codeAppender.getTarget()).isEqualTo(xmlAppender.getTarget()).isEqualTo("System.err");
    assertThat(((PatternLayoutEncoder) codeAppender.getEncoder()).getPattern())
        .isEqualTo(((PatternLayoutEncoder) xmlAppender.getEncoder()).getPattern());
  }
}
