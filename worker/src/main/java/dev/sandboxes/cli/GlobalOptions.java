package dev.sandboxes.cli;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import com.uber.m3.tally.NoopScope;
import dev.sandboxes.worker.TemporalConnection;
import dev.sandboxes.worker.TemporalProperties;
import dev.sandboxes.worker.TlsProperties;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The flags every command takes: where Temporal is, how to reach it (TLS, an API key: the
 * temporal CLI's flag and variable names), and how to print. Given before the command
 * ({@code sandbox --address X list}) they are moved after it ({@link SandboxCommand#execute}).
 */
final class GlobalOptions {
  @Option(names = "--address", paramLabel = "HOST:PORT",
      defaultValue = "${env:TEMPORAL_ADDRESS:-127.0.0.1:7233}",
      description = "Temporal frontend (env TEMPORAL_ADDRESS, default ${DEFAULT-VALUE})")
  String address;

  @Option(names = "--namespace", defaultValue = "${env:TEMPORAL_NAMESPACE:-default}",
      description = "Temporal namespace (env TEMPORAL_NAMESPACE, default ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--task-queue", defaultValue = TaskQueues.DEFAULT,
      description = "task queue of the sandbox workers (default ${DEFAULT-VALUE})")
  String taskQueue;

  @Option(names = "--json", description = "machine-readable output")
  boolean json;

  @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:TEMPORAL_API_KEY}",
      description = "API key sent as a bearer token; implies TLS (env TEMPORAL_API_KEY)")
  String apiKey;

  @Option(names = "--tls", defaultValue = "${env:TEMPORAL_TLS:-false}",
      description = "TLS to the frontend, verified by the JVM's trust store (env TEMPORAL_TLS)")
  boolean tls;

  @Option(names = "--tls-cert-path", paramLabel = "FILE", defaultValue = "${env:TEMPORAL_TLS_CERT}",
      description = "PEM client certificate for mutual TLS; needs --tls-key-path; implies TLS (env TEMPORAL_TLS_CERT)")
  Path tlsCert;

  @Option(names = "--tls-key-path", paramLabel = "FILE", defaultValue = "${env:TEMPORAL_TLS_KEY}",
      description = "PEM PKCS#8 key of the client certificate (env TEMPORAL_TLS_KEY)")
  Path tlsKey;

  @Option(names = "--tls-ca-path", paramLabel = "FILE", defaultValue = "${env:TEMPORAL_TLS_CA}",
      description = "PEM CA bundle that signed the server's certificate; implies TLS (env TEMPORAL_TLS_CA)")
  Path tlsCa;

  @Option(names = "--tls-server-name", paramLabel = "NAME", defaultValue = "${env:TEMPORAL_TLS_SERVER_NAME}",
      description = "name to check the server's certificate against; implies TLS (env TEMPORAL_TLS_SERVER_NAME)")
  String tlsServerName;

  private WorkflowServiceStubs stubs;
  private SandboxClient client;
  /**
   * The connection's one I/O thread, the CLI's own (NIO: no native transport library to unpack
   * at start), so that {@link #close} can end it: a JVM that exits while a thread waits in native
   * code (as gRPC's shared epoll loop does until a second after its last channel) waits 300 ms
   * for it first.
   */
  private EventLoopGroup ioLoop;

  /** Health checks before the CLI says Temporal cannot be reached (a busy server may miss one). */
  static final int CONNECT_ATTEMPTS = 3;
  /** The pause after the first failed check; doubled after the second. */
  static final Duration CONNECT_BACKOFF = Duration.ofMillis(500);

  /** Connects on first use; fails with one line naming the address when Temporal is not there. */
  SandboxClient sandboxes() {
    if (client == null) {
      WorkflowServiceStubsOptions options = stubsOptions();
      ioLoop = new NioEventLoopGroup(1, new DefaultThreadFactory("sandbox-cli-io", true));
      stubs = WorkflowServiceStubs.newServiceStubs(onOwnLoop(options, ioLoop));
      try {
        healthCheck(stubs::healthCheck);
      } catch (RuntimeException e) {
        close();
        throw new CliException(ExitCodes.OPERATIONAL,
            "cannot reach Temporal at " + address + ": " + rootMessage(e));
      }
      WorkflowClient workflowClient = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
      client = new SandboxClient(workflowClient, taskQueue);
    }
    return client;
  }

  /**
   * Runs {@code check} up to {@link #CONNECT_ATTEMPTS} times while it fails with a status a
   * retry can cure (unavailable, deadline exceeded, resource exhausted: a server under load, or
   * one just starting), pausing {@link #CONNECT_BACKOFF} and then twice that; any other failure,
   * and the last one, is thrown. A server that is not there at all costs 1.5 s more than one try.
   */
  static void healthCheck(Runnable check) {
    Duration pause = CONNECT_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        check.run();
        return;
      } catch (io.grpc.StatusRuntimeException e) {
        io.grpc.Status.Code code = e.getStatus().getCode();
        boolean transientFailure = code == io.grpc.Status.Code.UNAVAILABLE
            || code == io.grpc.Status.Code.DEADLINE_EXCEEDED || code == io.grpc.Status.Code.RESOURCE_EXHAUSTED;
        if (!transientFailure || attempt >= CONNECT_ATTEMPTS) {
          throw e;
        }
      }
      try {
        Thread.sleep(pause.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while connecting", e);
      }
      pause = pause.multipliedBy(2);
    }
  }

  /**
   * The connection's options: the worker's settings ({@link TemporalConnection}) from these flags,
   * so that the CLI reaches every server the worker can (TLS, mutual TLS, an API key).
   */
  WorkflowServiceStubsOptions stubsOptions() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CliException(ExitCodes.USAGE, "--tls-cert-path and --tls-key-path go together (mutual TLS)");
    }
    TemporalProperties temporal = new TemporalProperties(address, namespace, apiKey,
        new TlsProperties(tls, tlsCert, tlsKey, tlsCa, tlsServerName));
    try {
      return WorkflowServiceStubsOptions.newBuilder(TemporalConnection.stubsOptions(temporal, new NoopScope()))
          .setRpcTimeout(Duration.ofSeconds(10))
          .build();
    } catch (IllegalStateException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage().replace("sandboxes.temporal.tls", "--tls-*"));
    }
  }

  /**
   * Refuses the global flags given to {@code command} that it does not honour ({@code dev} and
   * {@code demo} start their own server), rather than ignoring them silently; the environment's
   * defaults (TEMPORAL_ADDRESS...) are not refused.
   */
  static void refuseUnused(CommandSpec command, java.util.Set<String> honoured, String why) {
    for (OptionSpec option : command.commandLine().getParseResult().matchedOptions()) {
      if (GLOBAL.contains(option.longestName()) && !honoured.contains(option.longestName())) {
        throw new CommandLine.ParameterException(command.commandLine(),
            option.longestName() + " does not apply to " + command.name() + ": " + why);
      }
    }
  }

  /** The names of the global flags, and which of them take a value. */
  static final java.util.Map<String, Boolean> TAKES_VALUE = CommandSpec.forAnnotatedObject(new GlobalOptions())
      .options().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
          OptionSpec::longestName, o -> o.arity().max() > 0));
  static final java.util.Set<String> GLOBAL = TAKES_VALUE.keySet();

  /**
   * {@code args} with the global flags that come before the command moved after it (after its
   * subcommand, for a group: {@code sandbox --address X volume ls V} is {@code volume ls --address
   * X V}), where picocli takes them; unchanged when none come first or no command follows them.
   */
  static String[] afterTheCommand(String[] args, CommandLine root) {
    java.util.List<String> moved = new java.util.ArrayList<>();
    int i = leadingGlobalFlags(args, moved);
    java.util.List<String> result = new java.util.ArrayList<>();
    CommandLine at = root;
    while (i < args.length && at.getSubcommands().containsKey(args[i])) {
      at = at.getSubcommands().get(args[i]);
      result.add(args[i++]);
    }
    if (moved.isEmpty() || result.isEmpty()) {
      return args;
    }
    result.addAll(moved);
    result.addAll(java.util.Arrays.asList(args).subList(i, args.length));
    return result.toArray(String[]::new);
  }

  /** The index of the first argument after the global flags that lead {@code args}, which go to {@code into}. */
  private static int leadingGlobalFlags(String[] args, java.util.List<String> into) {
    int i = 0;
    while (i < args.length) {
      String name = args[i].contains("=") ? args[i].substring(0, args[i].indexOf('=')) : args[i];
      Boolean takesValue = TAKES_VALUE.get(name);
      if (takesValue == null) {
        break;
      }
      into.add(args[i++]);
      if (takesValue && !args[i - 1].contains("=") && i < args.length) {
        into.add(args[i++]);
      }
    }
    return i;
  }

  /** The word that names the command in {@code args} (the first after the global flags), or null. */
  static String commandWord(String[] args) {
    int i = leadingGlobalFlags(args, new java.util.ArrayList<>());
    return i < args.length ? args[i] : null;
  }

  /** Batches through the same connection. */
  dev.sandboxes.client.BatchClient batches() {
    return new dev.sandboxes.client.BatchClient(sandboxes().workflowClient(), taskQueue);
  }

  /** Volumes through the same connection. */
  dev.sandboxes.client.VolumeClient volumes() {
    return new dev.sandboxes.client.VolumeClient(sandboxes().workflowClient(), taskQueue);
  }

  dev.sandboxes.client.PoolClient pools() {
    return new dev.sandboxes.client.PoolClient(sandboxes().workflowClient());
  }

  dev.sandboxes.client.ReaperClient reaper() {
    return new dev.sandboxes.client.ReaperClient(sandboxes().workflowClient());
  }

  /** {@code options} with the channel on {@code loop} (after any initializer they carry). */
  static WorkflowServiceStubsOptions onOwnLoop(WorkflowServiceStubsOptions options, EventLoopGroup loop) {
    Consumer<ManagedChannelBuilder<?>> before = options.getChannelInitializer();
    return WorkflowServiceStubsOptions.newBuilder(options)
        .setChannelInitializer(channel -> {
          if (before != null) {
            before.accept(channel);
          }
          if (channel instanceof NettyChannelBuilder netty) {
            netty.eventLoopGroup(loop).channelType(NioSocketChannel.class);
          }
        })
        .build();
  }

  /** Ends the connection and its I/O thread (at most a second or two). */
  void close() {
    if (stubs != null) {
      stubs.shutdownNow();
      stubs.awaitTermination(1, TimeUnit.SECONDS);
      stubs = null;
      client = null;
    }
    if (ioLoop != null) {
      ioLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
      ioLoop = null;
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
