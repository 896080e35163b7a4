package dev.sandboxes.model;

/**
 * Where a sandbox lives on its runtime: for Kubernetes the namespace and pod name, for the
 * local runtime the host and directory.
 *
 * @param runtime {@code kubernetes} or {@code local}
 * @param namespace Kubernetes namespace, or the local host name
 * @param object pod name, or the sandbox directory
 * @param node node the pod was scheduled to; {@code null} before scheduling
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record RuntimeRef(String runtime, String namespace, String object, String node) {
  @Override
  public String toString() {
    return runtime + ":" + namespace + "/" + object + (node == null ? "" : "@" + node);
  }
}
