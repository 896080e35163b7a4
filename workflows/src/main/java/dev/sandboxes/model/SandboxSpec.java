package dev.sandboxes.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to run: the desired state of one sandbox. Immutable; build one with {@link #builder}.
 *
 * <p>{@code command} and {@code args} follow Kubernetes: {@code command} replaces the image's
 * entrypoint, {@code args} its arguments. With neither, the sandbox idles (runs {@link
 * #IDLE_COMMAND}) and serves exec until it is terminated or its TTL expires. Unset cpu, memory
 * and egress take the runtime's configured defaults.
 *
 * @param image container image reference, e.g. {@code python:3.12-slim}
 * @param name DNS-1123 label, unique and never reused; {@code null} to have one generated
 * @param volumeMounts absolute mount path → volume name
 * @param ttl the sandbox is terminated this long after it was created, at most {@link #MAX_TTL};
 *     {@code null} for none
 * @param egress network egress; {@code null} for the runtime default
 * @param workdir working directory of the main process; {@code null} for the image default
 * @param scheduleTimeout how long the sandbox may stay {@code queued} (unschedulable, over
 *     quota, waiting for a volume) before it fails with reason {@code ScheduleTimeout};
 *     {@code null} for the worker's default
 * @param startupTimeout how long the sandbox may stay {@code creating} (image pull, container
 *     start) before it fails with reason {@code StartupTimeout}; {@code null} for the worker's
 *     default
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record SandboxSpec(
    String image,
    String name,
    List<String> command,
    List<String> args,
    Map<String, String> env,
    Map<String, String> tags,
    String cpu,
    String memory,
    Map<String, String> volumeMounts,
    Duration ttl,
    EgressPolicy egress,
    String workdir,
    Duration scheduleTimeout,
    Duration startupTimeout) {

  /** The longest schedule or startup timeout a spec may ask for. */
  public static final Duration MAX_PHASE_TIMEOUT = Duration.ofDays(7);

  /** What an idle sandbox runs: waits for exec until terminated, and exits at once on SIGTERM. */
  public static final List<String> IDLE_COMMAND =
      List.of("/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done");

  /**
   * The longest ttl: a year. Longer ones overflow the time arithmetic of a sandbox's workflow
   * and platform deadlines, and no sandbox should outlive it.
   */
  public static final Duration MAX_TTL = Duration.ofDays(365);

  /**
   * Copies the lists and maps ({@code null} for empty), keeping null elements so that validation
   * can name them. Nothing is checked here; see {@link #validated()}.
   */
  public SandboxSpec {
    command = command == null ? List.of() : listCopy(command);
    args = args == null ? List.of() : listCopy(args);
    env = env == null ? Map.of() : copy(env);
    tags = tags == null ? Map.of() : copy(tags);
    volumeMounts = volumeMounts == null ? Map.of() : copy(volumeMounts);
  }

  /** A builder for a spec of {@code image}, every other field unset. */
  public static Builder builder(String image) {
    return new Builder().image(image);
  }

  /** A builder that starts from every field of this spec. */
  public Builder toBuilder() {
    return new Builder()
        .image(image).name(name).command(command).args(args).env(env).tags(tags).cpu(cpu)
        .memory(memory).volumeMounts(volumeMounts).ttl(ttl).egress(egress).workdir(workdir)
        .scheduleTimeout(scheduleTimeout).startupTimeout(startupTimeout);
  }

  /** A copy with the given name. */
  public SandboxSpec withName(String newName) {
    return toBuilder().name(newName).build();
  }

  /** True when the sandbox runs {@link #IDLE_COMMAND} because no command or args were given. */
  public boolean idles() {
    return command.isEmpty() && args.isEmpty();
  }

  /** The command the runtime starts: the given command, or the idle one. */
  public List<String> effectiveCommand() {
    return idles() ? IDLE_COMMAND : command;
  }

  /** Every broken rule, in field order; empty when the spec is valid. */
  public List<Violation> violations() {
    Rules rules = new Rules();
    if (image == null || image.isBlank()) {
      rules.add("image", "must not be blank");
    } else if (image.chars().anyMatch(Character::isWhitespace)) {
      rules.add("image", "must not contain whitespace, got " + Rules.quote(image));
    } else if (image.length() > 512) {
      rules.add("image", "must be at most 512 characters, got " + image.length());
    }
    if (name != null) {
      rules.dnsLabel("name", name);
    }
    rules.argv("command", command, false);
    rules.argv("args", args, false);
    rules.env("env", env);
    rules.tags("tags", tags);
    rules.quantity("cpu", cpu);
    rules.quantity("memory", memory);
    if (volumeMounts.size() > Rules.MAX_VOLUME_MOUNTS) {
      rules.add("volumeMounts", "must have at most " + Rules.MAX_VOLUME_MOUNTS + " entries, got "
          + volumeMounts.size());
    }
    for (Map.Entry<String, String> mount : volumeMounts.entrySet()) {
      String field = "volumeMounts[" + Rules.quote(mount.getKey()) + "]";
      rules.absolutePath(field, mount.getKey());
      if ("/".equals(mount.getKey())) {
        rules.add(field, "must not be the root directory");
      }
      rules.dnsLabel(field + ".volume", mount.getValue());
    }
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      rules.add("ttl", "must be positive, got " + ttl);
    } else if (ttl != null && ttl.compareTo(MAX_TTL) > 0) {
      rules.add("ttl", "must be at most " + MAX_TTL.toDays() + " days (" + MAX_TTL + "), got " + ttl);
    }
    if (egress != null) {
      egress.check(rules, "egress");
    }
    if (workdir != null) {
      rules.absolutePath("workdir", workdir);
    }
    phaseTimeout(rules, "scheduleTimeout", scheduleTimeout);
    phaseTimeout(rules, "startupTimeout", startupTimeout);
    return rules.violations();
  }

  private static void phaseTimeout(Rules rules, String field, Duration value) {
    if (value == null) {
      return;
    }
    if (value.isNegative() || value.isZero()) {
      rules.add(field, "must be positive, got " + value);
    } else if (value.compareTo(MAX_PHASE_TIMEOUT) > 0) {
      rules.add(field, "must be at most " + MAX_PHASE_TIMEOUT.toDays() + " days, got " + value);
    }
  }

  /** Returns this spec, or throws {@link InvalidSpecException} naming every broken rule. */
  public SandboxSpec validated() {
    List<Violation> found = violations();
    if (!found.isEmpty()) {
      throw new InvalidSpecException("sandbox spec", found);
    }
    return this;
  }

  // List.copyOf rejects null elements; keep them so validation can name them.
  private static List<String> listCopy(List<String> list) {
    return java.util.Collections.unmodifiableList(new ArrayList<>(list));
  }

  private static Map<String, String> copy(Map<String, String> map) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** Builds a {@link SandboxSpec}; every setter replaces, {@code env/tag/volume} add one entry. */
  public static final class Builder {
    private String image;
    private String name;
    private List<String> command = new ArrayList<>();
    private List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> tags = new LinkedHashMap<>();
    private String cpu;
    private String memory;
    private final Map<String, String> volumeMounts = new LinkedHashMap<>();
    private Duration ttl;
    private EgressPolicy egress;
    private String workdir;
    private Duration scheduleTimeout;
    private Duration startupTimeout;

    private Builder() {}

    /** Sets the container image reference, e.g. {@code python:3.12-slim}. */
    public Builder image(String image) {
      this.image = image;
      return this;
    }

    /** Sets the name, a DNS-1123 label never used before; {@code null} to have one generated. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Sets the command that replaces the image's entrypoint. */
    public Builder command(String... command) {
      return command(Arrays.asList(command));
    }

    /** Sets the command that replaces the image's entrypoint; an empty list keeps the entrypoint. */
    public Builder command(List<String> command) {
      this.command = new ArrayList<>(command);
      return this;
    }

    /** Sets the arguments that replace the image's default arguments. */
    public Builder args(String... args) {
      return args(Arrays.asList(args));
    }

    /** Sets the arguments that replace the image's default arguments; an empty list keeps them. */
    public Builder args(List<String> args) {
      this.args = new ArrayList<>(args);
      return this;
    }

    /** Sets one environment variable, keeping the others. */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /** Replaces every environment variable with {@code entries}. */
    public Builder env(Map<String, String> entries) {
      env.clear();
      env.putAll(entries);
      return this;
    }

    /** Sets one tag (a label sandboxes are listed and filtered by), keeping the others. */
    public Builder tag(String key, String value) {
      tags.put(key, value);
      return this;
    }

    /** Replaces every tag with {@code entries}. */
    public Builder tags(Map<String, String> entries) {
      tags.clear();
      tags.putAll(entries);
      return this;
    }

    /**
     * Sets the CPU, a Kubernetes quantity such as {@code 500m} or {@code 2}; {@code null} for the
     * runtime default.
     */
    public Builder cpu(String cpu) {
      this.cpu = cpu;
      return this;
    }

    /** Sets the memory, a Kubernetes quantity such as {@code 256Mi}; {@code null} for the runtime default. */
    public Builder memory(String memory) {
      this.memory = memory;
      return this;
    }

    /** Mounts volume {@code volumeName} at the absolute path {@code mountPath}, keeping the other mounts. */
    public Builder volume(String mountPath, String volumeName) {
      volumeMounts.put(mountPath, volumeName);
      return this;
    }

    /** Replaces every mount with {@code mounts}: absolute mount path to volume name. */
    public Builder volumeMounts(Map<String, String> mounts) {
      volumeMounts.clear();
      volumeMounts.putAll(mounts);
      return this;
    }

    /**
     * Sets how long after its creation the sandbox is terminated, at most
     * {@link SandboxSpec#MAX_TTL}; {@code null} for no limit.
     */
    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    /** Sets where the sandbox may connect to; {@code null} for the runtime's default. */
    public Builder egress(EgressPolicy egress) {
      this.egress = egress;
      return this;
    }

    /** Sets the main process's working directory, an absolute path; {@code null} for the image's. */
    public Builder workdir(String workdir) {
      this.workdir = workdir;
      return this;
    }

    /**
     * Sets how long the sandbox may stay {@code queued} before it fails, at most
     * {@link SandboxSpec#MAX_PHASE_TIMEOUT}; {@code null} for the worker's default.
     */
    public Builder scheduleTimeout(Duration scheduleTimeout) {
      this.scheduleTimeout = scheduleTimeout;
      return this;
    }

    /**
     * Sets how long the sandbox may stay {@code creating} before it fails, at most
     * {@link SandboxSpec#MAX_PHASE_TIMEOUT}; {@code null} for the worker's default.
     */
    public Builder startupTimeout(Duration startupTimeout) {
      this.startupTimeout = startupTimeout;
      return this;
    }

    /** The spec as set so far. It is not checked here; {@link SandboxSpec#validated()} does that. */
    public SandboxSpec build() {
      return new SandboxSpec(image, name, command, args, env, tags, cpu, memory, volumeMounts,
          ttl, egress, workdir, scheduleTimeout, startupTimeout);
    }
  }
}
