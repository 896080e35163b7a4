package dev.sandboxes.cli;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a sandbox and print its name. Without a command it "
    + "idles and serves exec until terminated or its TTL.")
final class CreateCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "container image")
  String image;

  @Parameters(index = "1..*", paramLabel = "CMD", description = "command and arguments, after --")
  List<String> command = new ArrayList<>();

  @Option(names = "--name", description = "DNS-1123 name; generated when omitted; never reusable")
  String name;

  @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "environment variable")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(names = "--tag", paramLabel = "K=V", description = "tag, searchable with list --tag")
  Map<String, String> tags = new LinkedHashMap<>();

  @Option(names = "--cpu", paramLabel = "Q", description = "CPU request and limit, e.g. 500m")
  String cpu;

  @Option(names = "--memory", paramLabel = "Q", description = "memory request and limit, e.g. 256Mi")
  String memory;

  @Option(names = "--volume", paramLabel = "/ABS/PATH=VOLUME", description = "mount a volume")
  Map<String, String> volumes = new LinkedHashMap<>();

  @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "terminate after this long, e.g. 30m")
  Duration ttl;

  @Option(names = "--schedule-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "fail (ScheduleTimeout) if still queued after this long; default: the worker's (15m)")
  Duration scheduleTimeout;

  @Option(names = "--startup-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "fail (StartupTimeout) if still creating after this long; default: the worker's (10m)")
  Duration startupTimeout;

  @Option(names = "--workdir", paramLabel = "DIR", description = "working directory")
  String workdir;

  @Option(names = "--allow-cidr", paramLabel = "CIDR",
      description = "let the sandbox reach this CIDR, and DNS; repeatable; without it and without"
          + " --allow-all-egress the worker's default egress applies (deny-all unless configured)")
  List<String> allowCidrs = new ArrayList<>();

  @Option(names = "--allow-host", paramLabel = "HOST",
      description = "let the sandbox reach this host through the worker's egress proxy (HOST, HOST:PORT,"
          + " *.DOMAIN or *.DOMAIN:PORT; its HTTP_PROXY and HTTPS_PROXY point there), and DNS; repeatable")
  List<String> allowHosts = new ArrayList<>();

  @Option(names = "--allow-all-egress", description = "let the sandbox reach any address")
  boolean allowAllEgress;

  @Option(names = "--wait", description = "return once it is running or has ended; exit 3 when it ended"
      + " failed or terminated")
  boolean await;

  @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "10m", description = "how long --wait waits (default ${DEFAULT-VALUE})")
  Duration waitTimeout;

  @Override
  public Integer call() {
    if (allowAllEgress && !allowCidrs.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, "egress: --allow-cidr and --allow-all-egress exclude each other");
    }
    if (allowAllEgress && !allowHosts.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, "egress: --allow-host and --allow-all-egress exclude each other");
    }
    EgressPolicy egress = allowAllEgress ? EgressPolicy.allowAll()
        : allowCidrs.isEmpty() && allowHosts.isEmpty() ? null : new EgressPolicy(false, allowCidrs, allowHosts);
    SandboxSpec sandbox = SandboxSpec.builder(image).name(name).command(command).env(env).tags(tags)
        .cpu(cpu).memory(memory).volumeMounts(volumes).ttl(ttl).workdir(workdir).egress(egress)
        .scheduleTimeout(scheduleTimeout).startupTimeout(startupTimeout).build();
    try {
      SandboxClient client = global.sandboxes();
      if (!await) {
        String created = client.start(sandbox);
        Output.print(spec.commandLine().getOut(), global.json, Map.of("name", created), created);
        return ExitCodes.OK;
      }
      // the start and the wait in one request (update-with-start)
      SandboxStatus status = client.startAndAwaitRunning(sandbox, waitTimeout);
      String created = status.name();
      Output.print(spec.commandLine().getOut(), global.json, Output.json(status), created);
      if (dev.sandboxes.model.SandboxErrors.INVALID_SPEC.equals(status.reason())) {
        // refused by the platform side (e.g. a volume deleted meanwhile): bad input, not a result
        throw new CliException(ExitCodes.USAGE, "sandbox \"" + created + "\" failed: " + status.message());
      }
      if (status.phase() != dev.sandboxes.model.SandboxPhase.RUNNING && !status.phase().terminal()) {
        throw new CliException(ExitCodes.OPERATIONAL, "sandbox \"" + created + "\" is still "
            + status.phase().wireName() + " after " + waitTimeout.toSeconds() + "s");
      }
      if (status.phase().terminal() && status.phase() != dev.sandboxes.model.SandboxPhase.SUCCEEDED) {
        // it ended instead of running (a command that ran to success is what was asked for)
        throw new CliException(ExitCodes.WRONG_PHASE, "sandbox \"" + created + "\" "
            + ended(status));
      }
      return ExitCodes.OK;
    } finally {
      global.close();
    }
  }

  /** "ended failed (Reason): message", for a sandbox in a terminal phase. */
  private static String ended(SandboxStatus status) {
    StringBuilder text = new StringBuilder("ended ").append(status.phase().wireName());
    if (status.reason() != null && !status.reason().isBlank()) {
      text.append(" (").append(status.reason()).append(')');
    }
    if (status.message() != null && !status.message().isBlank()) {
      text.append(": ").append(status.message());
    }
    return text.toString();
  }
}
