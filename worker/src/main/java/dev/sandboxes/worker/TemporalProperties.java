package dev.sandboxes.worker;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Temporal connection ({@code sandboxes.temporal.*}).
 *
 * @param target frontend address as {@code host:port}; {@code null} means the local
 *     development server at {@value #LOCAL_TARGET}, which is refused together with an API key
 *     (a key is only ever meant for a remote, usually Temporal Cloud, endpoint)
 * @param namespace Temporal namespace the worker polls
 * @param apiKey sent as {@code Authorization: Bearer <key>} on every call; implies TLS
 * @param tls transport security
 */
public record TemporalProperties(
    String target,
    @DefaultValue("default") String namespace,
    String apiKey,
    @DefaultValue TlsProperties tls) {

  /** The address of {@code temporal server start-dev} and of the embedded development stack. */
  public static final String LOCAL_TARGET = "127.0.0.1:7233";

  /** The address actually dialled. */
  public String effectiveTarget() {
    return target != null ? target : LOCAL_TARGET;
  }

  /** Whether the connection uses TLS: asked for explicitly or implied by an API key or certificates. */
  public boolean tlsEnabled() {
    return tls.configured() || hasApiKey();
  }

  public boolean hasApiKey() {
    return apiKey != null && !apiKey.isBlank();
  }

  /** Keeps the API key out of logs and failure reports. */
  @Override
  public String toString() {
    return "TemporalProperties[target=" + effectiveTarget() + ", namespace=" + namespace
        + ", apiKey=" + (hasApiKey() ? "<set>" : "<none>") + ", tls=" + tls + "]";
  }
}
