package dev.sandboxes.runtime.agent;

import java.net.URI;
import java.util.Objects;

/**
 * Where one sandbox's agent answers and the token it requires.
 *
 * @param base {@code http://HOST:PORT}, the pod's IP or a local port forwarded to it
 * @param token the sandbox's secret; never logged ({@link #toString} leaves it out)
 */
public record AgentEndpoint(URI base, String token) {
  public AgentEndpoint {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(token, "token");
  }

  URI resolve(String path) {
    return base.resolve(path);
  }

  @Override
  public String toString() {
    return "AgentEndpoint[" + base + "]";
  }
}
