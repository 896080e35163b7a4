package dev.sandboxes.cli;

import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.worker.BuildVersion;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sandbox} command line. Exit codes: 0 success, 1 operational error, 2 usage error,
 * 3 the sandbox is not in a phase that allows the operation, 4 not found; {@code exec} exits
 * with the command's own code. Every error is one line on stderr naming what was wrong. The
 * global flags ({@link GlobalOptions}) go before or after the command, as with kubectl.
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true, versionProvider = SandboxCommand.Version.class,
    description = "Isolated sandboxes as durable Temporal workflows.",
    subcommands = {
        DevCommand.class, WorkerCommand.class, CreateCommand.class, ListCommand.class,
        GetCommand.class, LogsCommand.class, ExecCommand.class, AttachCommand.class, WaitCommand.class,
        TerminateCommand.class, VolumeCommand.class, BatchCommand.class, PoolCommand.class, ReapCommand.class,
        SetupCommand.class, DemoCommand.class, picocli.AutoComplete.GenerateCompletion.class})
public final class SandboxCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** {@code sandbox --version}: this build's version, as Maven recorded it. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = BuildVersion.current();
      return new String[] {"sandbox " + (version == null ? "(version unknown: built without build info)" : version)};
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // what picocli prints for it, without building the command tree first: the cheapest call
      PrintWriter out = new PrintWriter(System.out, true);
      for (String line : new Version().getVersion()) {
        out.println(line);
      }
      System.exit(ExitCodes.OK);
    }
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * The root {@code sandbox} without its subcommands, to which {@link #commandLine} adds the one a
   * command line names: picocli builds the model of every subcommand it is given (their options,
   * converters, mixins, by reflection), a sixth of a short command's run when all seventeen are.
   */
  @Command(name = "sandbox", mixinStandardHelpOptions = true, versionProvider = SandboxCommand.Version.class,
      description = "Isolated sandboxes as durable Temporal workflows.")
  static final class Root implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
  }

  /**
   * The command tree for {@code args}: the root and only the subcommand they name, when the first
   * word after the global flags is one; otherwise (help, the version, a mistyped command, the
   * completion script, which lists them all) the whole tree, so that every message is the same.
   */
  static CommandLine commandLine(String[] args) {
    String word = GlobalOptions.commandWord(args);
    if (word != null && !word.equals("generate-completion")) {
      for (Class<?> command : SandboxCommand.class.getAnnotation(Command.class).subcommands()) {
        if (word.equals(command.getAnnotation(Command.class).name())) {
          CommandLine cli = new CommandLine(new Root());
          cli.addSubcommand(command);
          return cli;
        }
      }
    }
    return new CommandLine(new SandboxCommand());
  }

  /** Runs one command line with the given streams and returns its exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine(args);
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((e, argv) -> {
      err.println("sandbox: " + e.getMessage());
      return ExitCodes.USAGE;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      if (System.getenv("SANDBOX_DEBUG") != null) {
        e.printStackTrace(err);
      }
      err.println("sandbox: " + message(e));
      return exitCode(e);
    });
    int code;
    try {
      code = cli.execute(GlobalOptions.afterTheCommand(args, cli));
    } finally {
      closeConnections(cli.getParseResult());
    }
    out.flush();
    err.flush();
    return code;
  }

  /** Ends the connection of the command that ran, if it made one (each command's own close is kept). */
  private static void closeConnections(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult at = parsed; at != null; at = at.subcommand()) {
      for (CommandLine.Model.CommandSpec mixin : at.commandSpec().mixins().values()) {
        if (mixin.userObject() instanceof GlobalOptions global) {
          global.close();
        }
      }
    }
  }

  static int exitCode(Throwable e) {
    if (e instanceof CliException cli) {
      return cli.exitCode();
    }
    if (e instanceof InvalidSpecException || e instanceof IllegalArgumentException) {
      return ExitCodes.USAGE;
    }
    if (e instanceof SandboxException typed) {
      return ExitCodes.of(typed.type());
    }
    return ExitCodes.OPERATIONAL;
  }

  static String message(Throwable e) {
    if (e instanceof CliException || e instanceof SandboxException
        || e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    if (e instanceof StatusRuntimeException grpc) {
      return "Temporal answered " + grpc.getStatus().getCode() + ": " + grpc.getStatus().getDescription();
    }
    return e.getClass().getSimpleName() + ": " + GlobalOptions.rootMessage(e);
  }
}
