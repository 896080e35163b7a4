package dev.sandboxes.worker;

import dev.sandboxes.runtime.kubernetes.EgressProxy;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The egress proxy that enforces sandboxes' host-name allow lists
 * ({@code sandboxes.kubernetes.egress-proxy.*}; the chart's {@code sandboxes.egressProxy} sets
 * them all). Unset, a sandbox that allows hosts is refused. Set, every field but {@code port}
 * is required.
 *
 * @param address {@code host:port} of the proxy's Service as sandbox pods reach it
 * @param namespace the proxy pods' namespace
 * @param podSelector {@code KEY=VALUE[,KEY=VALUE...]}, the proxy pods' labels
 * @param port the port the proxy pods listen on
 * @param keyFile the file holding the key the proxy checks tokens with (at least 32 bytes), read
 *     once at start-up
 */
public record EgressProxyProperties(String address, String namespace, String podSelector,
    @DefaultValue("3128") int port, String keyFile) {

  /** True when any field but the port is set: the proxy is meant to be used. */
  boolean configured() {
    return address != null || namespace != null || podSelector != null || keyFile != null;
  }

  /** The runtime's proxy; throws {@link IllegalArgumentException} naming what is wrong. */
  EgressProxy toProxy() {
    for (String[] field : new String[][] {{"address", address}, {"namespace", namespace},
        {"pod-selector", podSelector}, {"key-file", keyFile}}) {
      if (field[1] == null || field[1].isBlank()) {
        throw new IllegalArgumentException("sandboxes.kubernetes.egress-proxy." + field[0]
            + " must be set with the other egress-proxy settings");
      }
    }
    return EgressProxy.of(address, namespace, podSelector, port, EgressProxy.Key.read(java.nio.file.Path.of(keyFile)));
  }
}
