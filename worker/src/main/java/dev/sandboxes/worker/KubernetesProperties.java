package dev.sandboxes.worker;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the Kubernetes runtime ({@code sandboxes.kubernetes.*}). The cluster itself is
 * found the way {@code kubectl} finds it: {@code KUBECONFIG} or {@code ~/.kube/config}, else the
 * pod's service account when the worker runs in the cluster.
 *
 * @param namespace where sandbox pods, network policies and volume claims are created
 * @param defaultCpu cpu request and limit of a sandbox that sets none (a Kubernetes quantity)
 * @param defaultMemory memory request and limit of a sandbox that sets none
 * @param execOutputCap bytes kept per exec stream; the rest is drained and dropped
 * @param runtimeClassName RuntimeClass of sandbox pods (e.g. {@code gvisor}); unset for the node default
 * @param defaultEgress egress of a sandbox that sets none: {@code deny-all}, {@code allow-all}
 *     or a comma-separated list of CIDRs (see {@link EgressSetting})
 * @param volumeSize size of a volume created without one
 * @param volumeStorageClass storage class of a volume created without one; unset for the cluster default
 * @param volumeAccessMode access mode of a volume created without one
 * @param volumeHelperImage image of the short-lived pods that serve the volume file API (needs
 *     {@code sh}, {@code find}, {@code stat}, {@code head}, {@code mv}, e.g. busybox)
 * @param agentImage image of the in-sandbox agent (holds {@code /sandbox-agent}); when set, every
 *     sandbox runs it and exec goes through it; unset, exec uses the kubelet's exec API
 * @param agentPort port the agent listens on in each sandbox pod
 * @param agentAccess how this worker reaches the agents: {@code pod-ip} (a worker in the cluster)
 *     or {@code port-forward} (a worker outside it, through the API server)
 * @param agentClients {@code NAMESPACE:KEY=VALUE[,KEY=VALUE...]}, the worker pods: each sandbox's
 *     network policy then admits only them to the agent's port; unset leaves that port to the
 *     namespace's policies (the per-sandbox token still guards it)
 * @param pools warm pools of ready pods that fitting sandboxes take instead of starting one
 *     ({@link PoolProperties}); none by default
 * @param networkPolicyCheck whether the worker checks at start-up, with two probe pods, that the
 *     cluster enforces NetworkPolicy ({@link NetworkPolicyCheck}); on by default
 * @param egressProxy the egress proxy for host-name allow lists ({@link EgressProxyProperties});
 *     none by default
 * @param clusterDnsPods {@code NAMESPACE:KEY=VALUE[,KEY=VALUE...]}, the cluster's DNS server pods
 *     (such as {@code kube-system:k8s-app=kube-dns}): an allow-listed sandbox's DNS rule then
 *     reaches them alone; with {@code clusterDnsCidrs} unset too, it reaches port 53 of any address
 * @param clusterDnsCidrs comma-separated CIDRs where the cluster's DNS servers answer (a node's
 *     address when they run on the nodes, NodeLocal DNSCache's), with or instead of the pods
 */
public record KubernetesProperties(
    @DefaultValue("sandboxes") String namespace,
    @DefaultValue("500m") String defaultCpu,
    @DefaultValue("512Mi") String defaultMemory,
    @DefaultValue("1MB") DataSize execOutputCap,
    String runtimeClassName,
    @DefaultValue(EgressSetting.DENY_ALL) String defaultEgress,
    @DefaultValue("1Gi") String volumeSize,
    String volumeStorageClass,
    @DefaultValue("ReadWriteOnce") String volumeAccessMode,
    @DefaultValue("docker.io/library/busybox:1.36") String volumeHelperImage,
    String agentImage,
    @DefaultValue("7431") int agentPort,
    @DefaultValue(KubernetesProperties.POD_IP) String agentAccess,
    String agentClients,
    java.util.List<PoolProperties> pools,
    @DefaultValue("true") boolean networkPolicyCheck,
    EgressProxyProperties egressProxy,
    String clusterDnsPods,
    String clusterDnsCidrs) {

  public static final String POD_IP = "pod-ip";
  public static final String PORT_FORWARD = "port-forward";

  /** The pools as the runtime takes them (none when unset). */
  public java.util.List<dev.sandboxes.runtime.kubernetes.WarmPool> warmPools() {
    return pools == null ? java.util.List.of() : pools.stream().map(PoolProperties::toPool).toList();
  }

  /** The runtime's egress proxy, or null when none is configured (the validator has checked it). */
  public dev.sandboxes.runtime.kubernetes.EgressProxy proxy() {
    return egressProxy == null || !egressProxy.configured() ? null : egressProxy.toProxy();
  }

  /** Where the cluster's DNS servers are, or null when neither setting is (the validator has checked them). */
  public dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions.ClusterDns clusterDns() {
    boolean pods = clusterDnsPods != null && !clusterDnsPods.isBlank();
    java.util.List<String> cidrs = clusterDnsCidrs == null ? java.util.List.of()
        : java.util.Arrays.stream(clusterDnsCidrs.split(",")).map(String::strip).filter(c -> !c.isEmpty()).toList();
    if (!pods && cidrs.isEmpty()) {
      return null;
    }
    return new dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions.ClusterDns(
        pods ? dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions.AgentClients.parse(clusterDnsPods) : null, cidrs);
  }

  /** {@link #agentAccess} as the runtime's option (the validator has checked it). */
  public dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions.AgentAccess access() {
    return PORT_FORWARD.equals(agentAccess)
        ? dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions.AgentAccess.PORT_FORWARD
        : dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions.AgentAccess.POD_IP;
  }
}
