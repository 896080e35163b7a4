/**
 * The Kubernetes runtime: sandboxes as bare pods, egress as NetworkPolicies, volumes as
 * PersistentVolumeClaims. The only package that talks to fabric8.
 *
 * <p>Desired state comes from pure functions ({@link dev.sandboxes.runtime.kubernetes.PodSpecs},
 * {@link dev.sandboxes.runtime.kubernetes.NetworkPolicies},
 * {@link dev.sandboxes.runtime.kubernetes.VolumeClaims}), observed state is read by one pure
 * function ({@link dev.sandboxes.runtime.kubernetes.PodPhases}), and every call to the API
 * server goes through {@link dev.sandboxes.runtime.kubernetes.KubernetesGateway}.
 */
package dev.sandboxes.runtime.kubernetes;
