package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.EgressPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the Kubernetes runtime shapes the objects it creates. Build one with {@link #newBuilder()};
 * every field has a default that is safe for untrusted code.
 *
 * @param namespace where pods, network policies and claims live
 * @param defaultCpu cpu request and limit of a sandbox that sets none
 * @param defaultMemory memory request and limit of a sandbox that sets none
 * @param runtimeClassName e.g. {@code gvisor} or {@code kata}; {@code null} for the node default
 * @param execOutputCapBytes bytes kept per exec stream; the rest is drained and dropped
 * @param defaultEgress egress of a sandbox that sets none
 * @param imagePullPolicy {@code IfNotPresent}, {@code Always} or {@code Never}
 * @param ttlGrace added to a sandbox's TTL for the pod's {@code activeDeadlineSeconds}: the
 *     workflow terminates the sandbox at its TTL, the kubelet only if the workflow is gone
 * @param defaultVolumeSize size of a volume that sets none
 * @param defaultStorageClass storage class of a volume that sets none; {@code null} for the
 *     cluster default
 * @param defaultAccessMode access mode of a volume that sets none
 * @param runAsUser uid and gid of the main process and of exec; never 0
 * @param helperImage image of the short-lived pods that serve the volume file API; it needs
 *     {@code sh}, {@code stat}, {@code realpath}, {@code dd}, {@code base64} and {@code mv}
 *     (busybox has them all)
 * @param helperDeadline {@code activeDeadlineSeconds} of a volume helper pod: the kubelet ends
 *     one that a crashed worker never deleted, and the next file operation on the volume
 *     deletes helpers older than this
 * @param maxLifetime {@code activeDeadlineSeconds} of a sandbox pod without a TTL, and the
 *     longest TTL this runtime accepts: the kubelet ends every sandbox pod by then, whether or
 *     not a workflow is left to clean it up
 * @param agentImage image holding the in-sandbox agent ({@code /sandbox-agent}); {@code null}
 *     runs sandboxes without it (exec then goes through the kubelet's exec API)
 * @param agentPort where the agent listens in the pod
 * @param agentAccess how the worker reaches agents: the pod's IP (a worker in the cluster) or a
 *     port-forward through the API server (a worker outside it)
 * @param agentClients the pods that may reach the agents' port (the workers'); {@code null} leaves
 *     that port to the namespace's policies (the token still guards it)
 * @param pools warm pools of ready pods
 * @param egressProxy the proxy that enforces host-name allow lists; {@code null} when there is
 *     none, and a sandbox that allows hosts is then refused
 * @param clusterDns where the cluster's DNS servers are, the only destinations of an allow-listed
 *     sandbox's DNS rule; {@code null} lets such a sandbox reach port 53 of any address
 */
public record KubernetesRuntimeOptions(
    String namespace,
    String defaultCpu,
    String defaultMemory,
    String runtimeClassName,
    int execOutputCapBytes,
    EgressPolicy defaultEgress,
    String imagePullPolicy,
    Duration ttlGrace,
    String defaultVolumeSize,
    String defaultStorageClass,
    String defaultAccessMode,
    long runAsUser,
    String helperImage,
    Duration helperDeadline,
    Duration maxLifetime,
    String agentImage,
    int agentPort,
    AgentAccess agentAccess,
    AgentClients agentClients,
    java.util.List<WarmPool> pools,
    EgressProxy egressProxy,
    ClusterDns clusterDns) {

  public static final int DEFAULT_EXEC_OUTPUT_CAP = 1024 * 1024;
  /** The port the agent listens on unless configured otherwise (agent/main.go agrees). */
  public static final int DEFAULT_AGENT_PORT = 7431;

  /** How the worker reaches a sandbox's agent. */
  public enum AgentAccess {
    /** Directly on the pod's IP: the worker runs in the cluster's pod network. */
    POD_IP,
    /** Through the API server's port-forward: the worker runs outside the cluster. */
    PORT_FORWARD
  }

  /** The pods that may reach the agents: those with {@code labels} in {@code namespace}. */
  public record AgentClients(String namespace, Map<String, String> labels) {
    /**
     * Requires a namespace ({@link NullPointerException} otherwise) and at least one label
     * ({@link IllegalArgumentException} otherwise), so that not every pod of the namespace can
     * reach the agents. Copies {@code labels}.
     */
    public AgentClients {
      Objects.requireNonNull(namespace, "namespace");
      labels = Map.copyOf(labels);
      if (labels.isEmpty()) {
        throw new IllegalArgumentException("agentClients needs at least one label, or every pod of "
            + namespace + " could reach the agents");
      }
    }

    /**
     * Parses {@code NAMESPACE:KEY=VALUE,KEY=VALUE}, e.g.
     * {@code sandboxes-system:app.kubernetes.io/name=sandboxes-worker}.
     */
    public static AgentClients parse(String text) {
      int colon = text.indexOf(':');
      if (colon < 1) {
        throw new IllegalArgumentException("must be NAMESPACE:KEY=VALUE[,KEY=VALUE...], got \"" + text + "\"");
      }
      Map<String, String> labels = new java.util.LinkedHashMap<>();
      for (String pair : text.substring(colon + 1).split(",")) {
        int eq = pair.indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException("must be NAMESPACE:KEY=VALUE[,KEY=VALUE...], got \"" + text + "\"");
        }
        labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
      return new AgentClients(text.substring(0, colon).trim(), labels);
    }
  }

  /**
   * Where the cluster's DNS servers are: pods ({@code pods}, such as kube-system's
   * {@code k8s-app=kube-dns}) and/or address ranges ({@code cidrs}, such as a node's address
   * when the DNS server runs on the node, or NodeLocal DNSCache's). A network policy is matched
   * after a Service's translation, so these are the servers' own addresses, not the DNS Service's.
   */
  public record ClusterDns(AgentClients pods, java.util.List<String> cidrs) {
    /** Copies {@code cidrs} ({@code null} for none); requires pods or at least one CIDR. */
    public ClusterDns {
      cidrs = cidrs == null ? java.util.List.of() : java.util.List.copyOf(cidrs);
      if (pods == null && cidrs.isEmpty()) {
        throw new IllegalArgumentException("clusterDns needs its pods or at least one CIDR");
      }
    }
  }

  /** The ingress rule of an agent's sandbox, or null when its clients are not configured. */
  public NetworkPolicies.AgentIngress agentIngress() {
    return agentClients == null ? null
        : new NetworkPolicies.AgentIngress(agentPort, agentClients.namespace(), agentClients.labels());
  }

  /** True when sandboxes run with the agent. */
  public boolean agentEnabled() {
    return agentImage != null;
  }

  /**
   * Requires every field except {@code runtimeClassName}, {@code defaultStorageClass},
   * {@code agentImage}, {@code agentClients} and {@code pools} ({@link NullPointerException}
   * otherwise). Throws {@link IllegalArgumentException} for a {@code maxLifetime} or
   * {@code helperDeadline} under 1 second, an exec output cap below 1 byte, a {@code runAsUser}
   * below 1, a blank agent image, a port outside 1 to 65535, a negative TTL grace, or warm pools
   * without the agent, and {@link dev.sandboxes.model.InvalidSpecException} for warm pools that
   * break a rule. A {@code null} {@code pools} is none.
   */
  public KubernetesRuntimeOptions {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(defaultCpu, "defaultCpu");
    Objects.requireNonNull(defaultMemory, "defaultMemory");
    Objects.requireNonNull(defaultEgress, "defaultEgress");
    Objects.requireNonNull(imagePullPolicy, "imagePullPolicy");
    Objects.requireNonNull(ttlGrace, "ttlGrace");
    Objects.requireNonNull(defaultVolumeSize, "defaultVolumeSize");
    Objects.requireNonNull(defaultAccessMode, "defaultAccessMode");
    Objects.requireNonNull(helperImage, "helperImage");
    Objects.requireNonNull(helperDeadline, "helperDeadline");
    Objects.requireNonNull(maxLifetime, "maxLifetime");
    if (maxLifetime.toSeconds() < 1) {
      throw new IllegalArgumentException("maxLifetime must be at least 1s, got " + maxLifetime);
    }
    if (helperDeadline.toSeconds() < 1) {
      throw new IllegalArgumentException("helperDeadline must be at least 1s, got " + helperDeadline);
    }
    if (execOutputCapBytes < 1) {
      throw new IllegalArgumentException("execOutputCapBytes must be positive, got " + execOutputCapBytes);
    }
    if (runAsUser < 1) {
      throw new IllegalArgumentException("runAsUser must be a non-root uid, got " + runAsUser);
    }
    Objects.requireNonNull(agentAccess, "agentAccess");
    if (agentImage != null && agentImage.isBlank()) {
      throw new IllegalArgumentException("agentImage must be null (no agent) or an image, got a blank string");
    }
    if (agentPort < 1 || agentPort > 65535) {
      throw new IllegalArgumentException("agentPort must be a port (1-65535), got " + agentPort);
    }
    if (ttlGrace.isNegative()) {
      throw new IllegalArgumentException("ttlGrace must not be negative, got " + ttlGrace);
    }
    pools = pools == null ? java.util.List.of() : WarmPool.validated(pools);
    if (!pools.isEmpty() && agentImage == null) {
      throw new IllegalArgumentException("warm pools need the in-sandbox agent (agentImage): a pool pod "
          + "gets its sandbox's command through it");
    }
  }

  /** Every field at the default documented on its builder method. */
  public static KubernetesRuntimeOptions defaults() {
    return newBuilder().build();
  }

  /**
   * A builder with every field at its default; {@code newBuilder()}, as Temporal's options and
   * {@code LocalRuntimeOptions} name it.
   */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * The same as {@link #newBuilder()}, under its earlier name.
   *
   * @deprecated use {@link #newBuilder()}: every options class of the project names its builder so
   */
  @Deprecated(since = "0.2.0")
  public static Builder builder() {
    return newBuilder();
  }

  /** A builder that starts from every field of these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.namespace = namespace;
    b.defaultCpu = defaultCpu;
    b.defaultMemory = defaultMemory;
    b.runtimeClassName = runtimeClassName;
    b.execOutputCapBytes = execOutputCapBytes;
    b.defaultEgress = defaultEgress;
    b.imagePullPolicy = imagePullPolicy;
    b.ttlGrace = ttlGrace;
    b.defaultVolumeSize = defaultVolumeSize;
    b.defaultStorageClass = defaultStorageClass;
    b.defaultAccessMode = defaultAccessMode;
    b.runAsUser = runAsUser;
    b.helperImage = helperImage;
    b.helperDeadline = helperDeadline;
    b.maxLifetime = maxLifetime;
    b.agentImage = agentImage;
    b.agentPort = agentPort;
    b.agentAccess = agentAccess;
    b.agentClients = agentClients;
    b.pools = pools;
    b.egressProxy = egressProxy;
    b.clusterDns = clusterDns;
    return b;
  }

  /** Builds {@link KubernetesRuntimeOptions}; unset fields keep their defaults. */
  public static final class Builder {
    private String namespace = "sandboxes";
    private String defaultCpu = "500m";
    private String defaultMemory = "512Mi";
    private String runtimeClassName;
    private int execOutputCapBytes = DEFAULT_EXEC_OUTPUT_CAP;
    private EgressPolicy defaultEgress = EgressPolicy.denyAll();
    private String imagePullPolicy = "IfNotPresent";
    private Duration ttlGrace = Duration.ofMinutes(5);
    private String defaultVolumeSize = "1Gi";
    private String defaultStorageClass;
    private String defaultAccessMode = "ReadWriteOnce";
    // The uid of the "nonroot" user in distroless images.
    private long runAsUser = 65532;
    private String helperImage = "docker.io/library/busybox:1.36";
    private Duration helperDeadline = Duration.ofMinutes(5);
    private Duration maxLifetime = dev.sandboxes.workflow.SandboxLimits.DEFAULT_MAX_LIFETIME;
    private String agentImage;
    private int agentPort = DEFAULT_AGENT_PORT;
    private AgentAccess agentAccess = AgentAccess.POD_IP;
    private AgentClients agentClients;
    private java.util.List<WarmPool> pools = java.util.List.of();
    private EgressProxy egressProxy;
    private ClusterDns clusterDns;

    private Builder() {}

    /**
     * Where the cluster's DNS servers are. Defaults to {@code null}: an allow-listed sandbox may
     * reach port 53 (UDP and TCP) of any address.
     */
    public Builder clusterDns(ClusterDns value) {
      clusterDns = value;
      return this;
    }

    /**
     * The egress proxy for host-name allow lists. Defaults to {@code null}: a sandbox that allows
     * hosts is refused.
     */
    public Builder egressProxy(EgressProxy value) {
      egressProxy = value;
      return this;
    }

    /** The warm pools (see {@link WarmPool}); they need the agent. */
    public Builder pools(java.util.List<WarmPool> value) {
      pools = value;
      return this;
    }

    /** Where pods, network policies and claims are created. Defaults to {@code sandboxes}. */
    public Builder namespace(String value) {
      namespace = value;
      return this;
    }

    /** CPU request and limit of a sandbox that sets none. Defaults to {@code 500m}. */
    public Builder defaultCpu(String value) {
      defaultCpu = value;
      return this;
    }

    /** Memory request and limit of a sandbox that sets none. Defaults to {@code 512Mi}. */
    public Builder defaultMemory(String value) {
      defaultMemory = value;
      return this;
    }

    /**
     * The runtime class of the pods, e.g. {@code gvisor} or {@code kata}. Defaults to {@code null},
     * the node default.
     */
    public Builder runtimeClassName(String value) {
      runtimeClassName = value;
      return this;
    }

    /**
     * Bytes kept per exec stream, at least 1; the rest is drained and dropped. Defaults to
     * {@link KubernetesRuntimeOptions#DEFAULT_EXEC_OUTPUT_CAP} (1 MiB).
     */
    public Builder execOutputCapBytes(int value) {
      execOutputCapBytes = value;
      return this;
    }

    /** Egress of a sandbox that sets none. Defaults to {@link EgressPolicy#denyAll()}. */
    public Builder defaultEgress(EgressPolicy value) {
      defaultEgress = value;
      return this;
    }

    /** {@code IfNotPresent}, {@code Always} or {@code Never}. Defaults to {@code IfNotPresent}. */
    public Builder imagePullPolicy(String value) {
      imagePullPolicy = value;
      return this;
    }

    /**
     * Added to a sandbox's TTL for its pod's {@code activeDeadlineSeconds}; not negative. Defaults
     * to 5 minutes.
     */
    public Builder ttlGrace(Duration value) {
      ttlGrace = value;
      return this;
    }

    /** Size of a volume that sets none. Defaults to {@code 1Gi}. */
    public Builder defaultVolumeSize(String value) {
      defaultVolumeSize = value;
      return this;
    }

    /**
     * Storage class of a volume that sets none. Defaults to {@code null}, the cluster's default
     * storage class.
     */
    public Builder defaultStorageClass(String value) {
      defaultStorageClass = value;
      return this;
    }

    /** Access mode of a volume that sets none. Defaults to {@code ReadWriteOnce}. */
    public Builder defaultAccessMode(String value) {
      defaultAccessMode = value;
      return this;
    }

    /**
     * The uid and gid of the main process and of exec, at least 1 (never root). Defaults to 65532,
     * the {@code nonroot} user of distroless images.
     */
    public Builder runAsUser(long value) {
      runAsUser = value;
      return this;
    }

    /**
     * Image of the volume file API's helper pods; it needs {@code sh}, {@code stat},
     * {@code realpath}, {@code dd}, {@code base64} and {@code mv}. Defaults to
     * {@code docker.io/library/busybox:1.36}.
     */
    public Builder helperImage(String value) {
      helperImage = value;
      return this;
    }

    /** {@code activeDeadlineSeconds} of a volume helper pod, at least 1 second. Defaults to 5 minutes. */
    public Builder helperDeadline(Duration value) {
      helperDeadline = value;
      return this;
    }

    /**
     * {@code activeDeadlineSeconds} of a sandbox pod without a TTL, and the longest TTL accepted;
     * at least 1 second. Defaults to
     * {@link dev.sandboxes.workflow.SandboxLimits#DEFAULT_MAX_LIFETIME} (24 hours).
     */
    public Builder maxLifetime(Duration value) {
      maxLifetime = value;
      return this;
    }

    /**
     * Image holding the in-sandbox agent ({@code /sandbox-agent}). Defaults to {@code null}:
     * sandboxes run without it, and warm pools cannot be configured.
     */
    public Builder agentImage(String value) {
      agentImage = value;
      return this;
    }

    /**
     * Where the agent listens in the pod, 1 to 65535. Defaults to
     * {@link KubernetesRuntimeOptions#DEFAULT_AGENT_PORT} (7431).
     */
    public Builder agentPort(int value) {
      agentPort = value;
      return this;
    }

    /**
     * How the worker reaches agents. Defaults to
     * {@link KubernetesRuntimeOptions.AgentAccess#POD_IP}, for a worker in the cluster.
     */
    public Builder agentAccess(AgentAccess value) {
      agentAccess = value;
      return this;
    }

    /**
     * The pods that may reach the agents' port. Defaults to {@code null}, which leaves that port to
     * the namespace's policies (the token still guards it).
     */
    public Builder agentClients(AgentClients value) {
      agentClients = value;
      return this;
    }

    /** The options as set, checked as the record's constructor checks them. */
    public KubernetesRuntimeOptions build() {
      return new KubernetesRuntimeOptions(namespace, defaultCpu, defaultMemory, runtimeClassName,
          execOutputCapBytes, defaultEgress, imagePullPolicy, ttlGrace, defaultVolumeSize,
          defaultStorageClass, defaultAccessMode, runAsUser, helperImage, helperDeadline, maxLifetime,
          agentImage, agentPort, agentAccess, agentClients, pools, egressProxy, clusterDns);
    }
  }
}
