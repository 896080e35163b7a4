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
    @DefaultValue("docker.io/library/busybox:1.36") String volumeHelperImage) {}
