package dev.sandboxes.worker;

import dev.sandboxes.model.FieldRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The rules of {@link SandboxesProperties}, applied while Spring binds them. Registered under
 * the bean name {@code configurationPropertiesValidator}, which Spring Boot applies to
 * configuration properties; each rejection names the property by its path below
 * {@code sandboxes} in its canonical dashed form, so the startup failure report reads
 * {@code Property: sandboxes.kubernetes.default-egress ... Reason: ...}, the spelling an operator
 * writes in {@code application.yaml}.
 *
 * <p>Nothing here rejects {@code sandboxes.temporal.api-key} itself: the failure report prints
 * the rejected value, and a secret must not end up in a log.
 */
public final class SandboxesPropertiesValidator implements Validator {
  /** A stopping worker waits no longer (and the wait must fit a long of milliseconds). */
  static final java.time.Duration MAX_SHUTDOWN_TIMEOUT = java.time.Duration.ofHours(1);
  /** The server's limit on a build ID ({@code limit.workerBuildIdSize}); deployment names get the same. */
  static final int MAX_VERSION_PART = 255;
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  // host:port, [ipv6]:port, or a gRPC name-resolver URI such as dns:///host:port.
  private static final Pattern TARGET =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*:///?\\S+)|(\\[[0-9A-Fa-f:.]+\\]|[^\\s:/\\[\\]]+):\\d{1,5}");

  @Override
  public boolean supports(Class<?> type) {
    return SandboxesProperties.class.isAssignableFrom(type);
  }

  @Override
  public void validate(Object target, Errors errors) {
    SandboxesProperties p = (SandboxesProperties) target;
    checkTemporal(p.temporal(), errors);
    if (p.taskQueue() == null || p.taskQueue().isBlank()) {
      errors.rejectValue("task-queue", "blank", "must not be blank");
    }
    if (p.shutdownTimeout() == null || p.shutdownTimeout().isNegative()
        || p.shutdownTimeout().compareTo(MAX_SHUTDOWN_TIMEOUT) > 0) {
      errors.rejectValue("shutdown-timeout", "range", "must be a duration from zero to 1h, e.g. 30s, got "
          + p.shutdownTimeout());
    }
    checkKubernetes(p.kubernetes(), errors);
    checkCap(p.local().execOutputCap(), "local.exec-output-cap", errors);
    checkBetween(p.sandbox().maxLifetime(), "sandbox.max-lifetime", java.time.Duration.ofSeconds(1),
        dev.sandboxes.workflow.SandboxLimits.MAX_LIFETIME_CEILING, errors);
    checkBetween(p.sandbox().scheduleTimeout(), "sandbox.schedule-timeout", java.time.Duration.ofSeconds(1),
        dev.sandboxes.model.SandboxSpec.MAX_PHASE_TIMEOUT, errors);
    checkBetween(p.sandbox().startupTimeout(), "sandbox.startup-timeout", java.time.Duration.ofSeconds(1),
        dev.sandboxes.model.SandboxSpec.MAX_PHASE_TIMEOUT, errors);
    checkBetween(p.reaper().interval(), "reaper.interval", java.time.Duration.ofSeconds(10),
        java.time.Duration.ofDays(1), errors);
    checkBetween(p.reaper().grace(), "reaper.grace", java.time.Duration.ZERO,
        dev.sandboxes.reaper.ReapRequest.MAX_GRACE, errors);
    checkVersioning(p.versioning(), p.taskQueue(), errors);
  }

  /**
   * The server's rules for a Worker Deployment version (Temporal 1.29): a deployment name
   * without {@code .} or {@code :}, names and build IDs not starting with {@code __}, build IDs
   * of at most 255 bytes. Explicit values are checked even while versioning is off; derived ones
   * only when they are used.
   */
  private static void checkVersioning(VersioningProperties v, String taskQueue, Errors errors) {
    if (v.deploymentName() != null) {
      String problem = deploymentNameProblem(v.deploymentName());
      if (problem != null) {
        errors.rejectValue("versioning.deployment-name", "format", problem + ", got \"" + v.deploymentName() + "\"");
      }
    } else if (v.enabled() && taskQueue != null && !taskQueue.isBlank()) {
      String problem = deploymentNameProblem(taskQueue);
      if (problem != null) {
        errors.rejectValue("versioning.deployment-name", "required", "must be set: it defaults to "
            + "sandboxes.task-queue (\"" + taskQueue + "\"), which is not a Worker Deployment name (a name "
            + problem + ")");
      }
    }
    if (v.buildId() != null) {
      String problem = buildIdProblem(v.buildId());
      if (problem != null) {
        errors.rejectValue("versioning.build-id", "format", problem + ", got \"" + v.buildId() + "\"");
      }
    } else if (v.enabled() && v.effectiveBuildId() == null) {
      errors.rejectValue("versioning.build-id", "required", "must be set: this build carries no version ("
          + BuildVersion.RESOURCE + " is missing); use the image tag or the commit, e.g. 1.4.2 or 3f9c2ab");
    }
    if (v.setCurrent() && !v.enabled()) {
      errors.rejectValue("versioning.set-current", "conflict",
          "needs sandboxes.versioning.enabled=true: an unversioned worker has no version to make current");
    }
  }

  private static String deploymentNameProblem(String name) {
    if (name.isBlank()) {
      return "must not be blank";
    }
    if (name.contains(".") || name.contains(":")) {
      return "must not contain '.' or ':'";
    }
    if (name.startsWith("__")) {
      return "must not start with '__'";
    }
    if (name.length() > MAX_VERSION_PART) {
      return "must be at most " + MAX_VERSION_PART + " characters";
    }
    return null;
  }

  private static String buildIdProblem(String buildId) {
    if (buildId.isBlank()) {
      return "must not be blank";
    }
    if (buildId.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      return "must not contain spaces or control characters";
    }
    if (buildId.startsWith("__")) {
      return "must not start with '__'";
    }
    if (buildId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_VERSION_PART) {
      return "must be at most " + MAX_VERSION_PART + " bytes";
    }
    return null;
  }

  private static void checkBetween(java.time.Duration value, String property, java.time.Duration min,
      java.time.Duration max, Errors errors) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      errors.rejectValue(property, "range", "must be a duration from " + min + " to " + max
          + ", e.g. 10m, got " + value);
    }
  }

  private static void checkTemporal(TemporalProperties t, Errors errors) {
    if (t.target() != null && !TARGET.matcher(t.target()).matches()) {
      errors.rejectValue("temporal.target", "format",
          "must be host:port (e.g. my-ns.a1b2c.tmprl.cloud:7233), got \"" + t.target() + "\"");
    }
    if (t.hasApiKey() && t.target() == null) {
      errors.rejectValue("temporal.target", "required",
          "must be set when sandboxes.temporal.api-key is set: an API key is for a remote "
              + "endpoint such as <namespace>.<account>.tmprl.cloud:7233 (or <region>.<cloud>.api.temporal.io:7233), "
              + "not the local default " + TemporalProperties.LOCAL_TARGET);
    }
    if (t.namespace() == null || t.namespace().isBlank()) {
      errors.rejectValue("temporal.namespace", "blank", "must not be blank");
    }
    TlsProperties tls = t.tls();
    if (tls.clientCert() != null && tls.clientKey() == null) {
      errors.rejectValue("temporal.tls.client-key", "required",
          "must be set when sandboxes.temporal.tls.client-cert is set");
    }
    if (tls.clientKey() != null && tls.clientCert() == null) {
      errors.rejectValue("temporal.tls.client-cert", "required",
          "must be set when sandboxes.temporal.tls.client-key is set");
    }
    checkReadable(tls.clientCert(), "temporal.tls.client-cert", errors);
    checkReadable(tls.clientKey(), "temporal.tls.client-key", errors);
    checkReadable(tls.caCert(), "temporal.tls.ca-cert", errors);
    if (tls.serverName() != null && tls.serverName().isBlank()) {
      errors.rejectValue("temporal.tls.server-name", "blank", "must not be blank when set");
    }
  }

  private static void checkKubernetes(KubernetesProperties k, Errors errors) {
    reject(k.namespace() == null ? "must be set" : FieldRules.dnsLabel(k.namespace()), "kubernetes.namespace", errors);
    checkQuantity(k.defaultCpu(), "kubernetes.default-cpu", errors);
    checkQuantity(k.defaultMemory(), "kubernetes.default-memory", errors);
    checkCap(k.execOutputCap(), "kubernetes.exec-output-cap", errors);
    if (k.runtimeClassName() != null
        && (k.runtimeClassName().length() > 253 || !DNS_SUBDOMAIN.matcher(k.runtimeClassName()).matches())) {
      errors.rejectValue("kubernetes.runtime-class-name", "format",
          "must be a DNS-1123 subdomain such as gvisor, got \"" + k.runtimeClassName() + "\"");
    }
    try {
      EgressSetting.parse(k.defaultEgress());
    } catch (IllegalArgumentException e) {
      errors.rejectValue("kubernetes.default-egress", "format", e.getMessage());
    }
    checkQuantity(k.volumeSize(), "kubernetes.volume-size", errors);
    if (k.volumeStorageClass() != null && (k.volumeStorageClass().length() > 253
        || !DNS_SUBDOMAIN.matcher(k.volumeStorageClass()).matches())) {
      errors.rejectValue("kubernetes.volume-storage-class", "format",
          "must be a DNS-1123 subdomain such as standard, got \"" + k.volumeStorageClass() + "\"");
    }
    reject(k.volumeAccessMode() == null ? "must be set" : FieldRules.accessMode(k.volumeAccessMode()),
        "kubernetes.volume-access-mode", errors);
    if (k.volumeHelperImage() == null || k.volumeHelperImage().isBlank()) {
      errors.rejectValue("kubernetes.volume-helper-image", "blank", "must name an image with sh, such as busybox");
    }
    if (k.agentImage() != null && k.agentImage().isBlank()) {
      errors.rejectValue("kubernetes.agent-image", "blank",
          "must name the agent's image (sandboxes-agent:<version>) or be left unset for no agent");
    }
    if (k.agentPort() < 1 || k.agentPort() > 65535) {
      errors.rejectValue("kubernetes.agent-port", "range", "must be a port, 1 to 65535, got " + k.agentPort());
    }
    if (k.agentClients() != null) {
      try {
        dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions.AgentClients.parse(k.agentClients());
      } catch (IllegalArgumentException e) {
        errors.rejectValue("kubernetes.agent-clients", "format", e.getMessage());
      }
    }
    if (k.clusterDnsPods() != null && !k.clusterDnsPods().isBlank()) {
      try {
        dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions.AgentClients.parse(k.clusterDnsPods());
      } catch (IllegalArgumentException e) {
        errors.rejectValue("kubernetes.cluster-dns-pods", "format", e.getMessage());
      }
    }
    if (k.clusterDnsCidrs() != null && !k.clusterDnsCidrs().isBlank()) {
      try {
        if (EgressSetting.parse(k.clusterDnsCidrs()).allowedCidrs().isEmpty()) {
          errors.rejectValue("kubernetes.cluster-dns-cidrs", "format",
              "must be a comma-separated list of CIDRs (e.g. 192.0.2.2/32), got \"" + k.clusterDnsCidrs() + "\"");
        }
      } catch (IllegalArgumentException e) {
        errors.rejectValue("kubernetes.cluster-dns-cidrs", "format", e.getMessage());
      }
    }
    if (k.egressProxy() != null && k.egressProxy().configured()) {
      try {
        k.egressProxy().toProxy();
      } catch (IllegalArgumentException e) {
        errors.rejectValue("kubernetes.egress-proxy", "invalid", e.getMessage());
      }
    }
    java.util.List<PoolProperties> pools = k.pools() == null ? java.util.List.of() : k.pools();
    java.util.Set<String> poolNames = new java.util.HashSet<>();
    for (int i = 0; i < pools.size(); i++) {
      PoolProperties pool = pools.get(i);
      for (dev.sandboxes.model.Violation v : pool.toPool().violations(i)) {
        errors.rejectValue("kubernetes." + kebab(v.field()), "pool", v.message());
      }
      if (pool.name() != null && !poolNames.add(pool.name())) {
        errors.rejectValue("kubernetes.pools[" + i + "].name", "duplicate", "another pool is named " + pool.name());
      }
      if (pool.cpu() != null) {
        checkQuantity(pool.cpu(), "kubernetes.pools[" + i + "].cpu", errors);
      }
      if (pool.memory() != null) {
        checkQuantity(pool.memory(), "kubernetes.pools[" + i + "].memory", errors);
      }
    }
    if (!pools.isEmpty() && k.agentImage() == null) {
      errors.rejectValue("kubernetes.pools", "agent", "warm pools need the in-sandbox agent: set "
          + "sandboxes.kubernetes.agent-image (a pool pod gets its sandbox's command through it)");
    }
    if (!KubernetesProperties.POD_IP.equals(k.agentAccess())
        && !KubernetesProperties.PORT_FORWARD.equals(k.agentAccess())) {
      errors.rejectValue("kubernetes.agent-access", "format", "must be " + KubernetesProperties.POD_IP
          + " or " + KubernetesProperties.PORT_FORWARD + ", got \"" + k.agentAccess() + "\"");
    }
  }

  /** The model's rule for a quantity (FieldRules), so a property and a spec agree on what one is. */
  private static void checkQuantity(String value, String field, Errors errors) {
    reject(value == null ? "must be set" : FieldRules.quantity(value), field, errors);
  }

  private static void reject(String problem, String field, Errors errors) {
    if (problem != null) {
      errors.rejectValue(field, "format", problem);
    }
  }

  private static void checkCap(DataSize cap, String field, Errors errors) {
    if (cap == null || cap.toBytes() < 1 || cap.toBytes() > Integer.MAX_VALUE) {
      errors.rejectValue(field, "range", "must be between 1B and 2GB, e.g. 1MB, got " + cap);
    }
  }

  private static void checkReadable(Path file, String field, Errors errors) {
    if (file != null && !Files.isReadable(file)) {
      errors.rejectValue(field, "missing", "must name a readable file, got " + file);
    }
  }

  /** {@code pools[0].refillPerMinute} as Spring names the property: {@code pools[0].refill-per-minute}. */
  static String kebab(String field) {
    return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }
}
