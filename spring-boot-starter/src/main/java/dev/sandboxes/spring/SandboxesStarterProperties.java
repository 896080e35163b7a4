package dev.sandboxes.spring;

import dev.sandboxes.model.FieldRules;
import dev.sandboxes.runtime.local.IsolationMode;
import dev.sandboxes.workflow.SandboxLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * What an application configures of its sandboxes, under the {@code sandboxes} prefix of its
 * {@code application.yaml} (or the command line, or the environment: {@code SANDBOXES_RUNTIME=local}).
 * The Temporal connection, namespace and workers are temporal-spring-boot-starter's
 * ({@code spring.temporal.*}).
 *
 * <p>The keys are those of the sandbox worker application where they mean the same, and fewer: the
 * settings an application needs to run sandboxes beside its own workflows. The worker's own property
 * types cannot be shared: they live in the worker application, whose artifact is a repackaged
 * executable jar, and moving them here would put temporal-spring-boot-starter, and its
 * auto-configuration, into a worker that wires Temporal by hand on purpose.
 *
 * <p>A key below {@code sandboxes} that is not one of these (a misspelling such as
 * {@code sandboxes.runtme}) in {@code application.yaml}, a properties file or on the command line
 * fails the start naming it, rather than being ignored; a value out of range fails it naming the
 * property and the rule. Environment variables and system properties are not checked for unknown
 * keys (Spring Boot's rule for {@code ignoreUnknownFields = false}): the worker application's
 * settings ({@code SANDBOXES_TEMPORAL_TARGET}, {@code SANDBOXES_TASK_QUEUE}...) in the same
 * environment do not stop the start, and those it shares with this record
 * ({@code SANDBOXES_RUNTIME}, {@code SANDBOXES_KUBERNETES_NAMESPACE}...) apply here too.
 *
 * @param runtime where sandboxes run: {@code kubernetes} (the default, pods in a namespace) or
 *     {@code local} (process trees on the application's own host)
 * @param taskQueues the task queues of temporal-spring-boot-starter's workers that run sandboxes
 *     (their workflows and activities are registered there); unset or empty means every worker it
 *     creates. A client starts sandboxes on one of them ({@code new SandboxClient(client, queue)};
 *     {@code sandboxes} by default)
 * @param shutdownTimeout how long a closing application waits for the running tasks of its
 *     Temporal workers (sandbox activities among them) before it interrupts them and closes the
 *     runtime; zero to 1h
 * @param local settings of the local runtime
 * @param kubernetes settings of the Kubernetes runtime
 * @param sandbox bounds on every sandbox: lifetime, schedule and startup timeouts
 */
// a misspelt key (sandboxes.runtme) is refused at start-up, not ignored; one from the environment
// (SANDBOXES_RUNTME) is ignored, as the worker's own settings there must be
@ConfigurationProperties(prefix = "sandboxes", ignoreUnknownFields = false)
public record SandboxesStarterProperties(
    @DefaultValue("kubernetes") RuntimeKind runtime,
    Set<String> taskQueues,
    @DefaultValue("30s") Duration shutdownTimeout,
    @DefaultValue Local local,
    @DefaultValue Kubernetes kubernetes,
    @DefaultValue Sandbox sandbox) {

  /** Checks the task queues and the shutdown timeout; an unset set of queues is empty (every worker). */
  public SandboxesStarterProperties {
    taskQueues = taskQueues == null ? Set.of() : Set.copyOf(taskQueues);
    if (taskQueues.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("sandboxes.task-queues must not name a blank task queue");
    }
    if (shutdownTimeout == null || shutdownTimeout.isNegative() || shutdownTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "sandboxes.shutdown-timeout must be a duration from zero to 1h, e.g. 30s, got " + shutdownTimeout);
    }
  }

  /**
   * Where sandboxes run ({@code sandboxes.runtime}); bound case-insensitively, and any other value
   * fails the start naming the property.
   */
  public enum RuntimeKind {
    /** Pods in a Kubernetes namespace, reached as {@code kubectl} reaches it: for production. */
    KUBERNETES,
    /** Process trees on the application's own host, under bubblewrap: for development and tests. */
    LOCAL
  }

  /**
   * Settings of the local runtime ({@code sandboxes.local.*}).
   *
   * @param root directory holding each sandbox's workspace and logs; unset means
   *     {@code sandboxes-local} in the JVM's temporary directory
   * @param isolation {@code bubblewrap} (the default: the start fails without a working
   *     {@code bwrap}), {@code auto} (bubblewrap when it works, else none with a warning) or
   *     {@code none}. Stricter than the worker's default ({@code auto}): an application embeds
   *     the runtime, and one that runs untrusted code must not lose its isolation silently
   * @param execOutputCap bytes kept per exec stream, 1B to 2GB
   */
  public record Local(
      Path root,
      @DefaultValue("bubblewrap") IsolationMode isolation,
      @DefaultValue("1MB") DataSize execOutputCap) {

    /** Checks the cap. */
    public Local {
      checkCap(execOutputCap, "sandboxes.local.exec-output-cap");
    }
  }

  /**
   * Settings of the Kubernetes runtime ({@code sandboxes.kubernetes.*}); the cluster is found as
   * {@code kubectl} finds it ({@code KUBECONFIG}, {@code ~/.kube/config}, or the pod's service
   * account). The other settings keep the runtime's defaults (volumes of 1Gi on the cluster's
   * default storage class, exec through the kubelet, no warm pools); the worker application
   * configures them all.
   *
   * @param namespace where sandbox pods, network policies and volume claims are created
   * @param defaultCpu cpu request and limit of a sandbox that sets none (a Kubernetes quantity)
   * @param defaultMemory memory request and limit of a sandbox that sets none
   * @param runtimeClassName RuntimeClass of sandbox pods (e.g. {@code gvisor}); unset for the
   *     node's default
   * @param execOutputCap bytes kept per exec stream, 1B to 2GB
   */
  public record Kubernetes(
      @DefaultValue("sandboxes") String namespace,
      @DefaultValue("500m") String defaultCpu,
      @DefaultValue("512Mi") String defaultMemory,
      String runtimeClassName,
      @DefaultValue("1MB") DataSize execOutputCap) {

    /** Checks each setting by the rules a sandbox spec's own fields follow. */
    public Kubernetes {
      check(namespace, FieldRules::dnsLabel, "sandboxes.kubernetes.namespace");
      check(defaultCpu, FieldRules::quantity, "sandboxes.kubernetes.default-cpu");
      check(defaultMemory, FieldRules::quantity, "sandboxes.kubernetes.default-memory");
      if (runtimeClassName != null && runtimeClassName.isBlank()) {
        throw new IllegalArgumentException("sandboxes.kubernetes.runtime-class-name must not be blank when set");
      }
      checkCap(execOutputCap, "sandboxes.kubernetes.exec-output-cap");
    }
  }

  /**
   * Bounds on every sandbox ({@code sandboxes.sandbox.*}); see {@link SandboxLimits}.
   *
   * @param maxLifetime the pod deadline of a sandbox without a TTL, and the longest TTL accepted
   * @param scheduleTimeout how long a sandbox may stay queued, unless its spec says otherwise
   * @param startupTimeout how long a sandbox may stay creating, unless its spec says otherwise
   */
  public record Sandbox(
      @DefaultValue("24h") Duration maxLifetime,
      @DefaultValue("15m") Duration scheduleTimeout,
      @DefaultValue("10m") Duration startupTimeout) {

    /** Checks the bounds as {@link SandboxLimits} does. */
    public Sandbox {
      try {
        new SandboxLimits(maxLifetime, scheduleTimeout, startupTimeout);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException("sandboxes.sandbox: " + e.getMessage(), e);
      }
    }

    /** These bounds as the plugin takes them. */
    public SandboxLimits limits() {
      return new SandboxLimits(maxLifetime, scheduleTimeout, startupTimeout);
    }
  }

  /** The model's rule for the value ({@link FieldRules}), so a property and a spec agree on it. */
  private static void check(String value, java.util.function.UnaryOperator<String> rule, String property) {
    String problem = value == null ? "must be set" : rule.apply(value);
    if (problem != null) {
      throw new IllegalArgumentException(property + " " + problem);
    }
  }

  private static void checkCap(DataSize cap, String property) {
    if (cap == null || cap.toBytes() < 1 || cap.toBytes() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(property + " must be between 1B and 2GB, e.g. 1MB, got " + cap);
    }
  }
}
