package dev.sandboxes.worker;

import java.nio.file.Path;

/**
 * TLS towards the Temporal frontend ({@code sandboxes.temporal.tls.*}).
 *
 * <p>TLS is on when {@code enabled} is true, and also whenever an API key, a client
 * certificate or a CA certificate is configured: each of those is meaningless over plaintext.
 * Without a CA certificate the JVM's default trust store verifies the server, which is what
 * Temporal Cloud needs.
 *
 * @param enabled turn TLS on with no other setting (server verified by the default trust store)
 * @param clientCert PEM certificate chain for mutual TLS; requires {@code clientKey}
 * @param clientKey PEM PKCS#8 private key of {@code clientCert}
 * @param caCert PEM CA bundle that signed the server's certificate (self-managed servers)
 * @param serverName name to verify in the server's certificate when it differs from the
 *     target's host (e.g. connecting through an IP address or a proxy)
 */
public record TlsProperties(
    boolean enabled, Path clientCert, Path clientKey, Path caCert, String serverName) {

  /** Whether any TLS-only setting is present. */
  public boolean configured() {
    return enabled || clientCert != null || clientKey != null || caCert != null || serverName != null;
  }
}
