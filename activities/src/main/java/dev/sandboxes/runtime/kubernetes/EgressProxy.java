package dev.sandboxes.runtime.kubernetes;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The egress proxy that enforces host-name allow lists ({@code egress.allowedHosts}), which a
 * NetworkPolicy cannot express: {@code sandbox-agent egress-proxy} pods (the chart's
 * {@code sandboxes.egressProxy}) that let each request through only to a host its token allows.
 * A sandbox with an allow list of hosts gets a network policy that admits only DNS and the proxy
 * pods' port, and {@code HTTP_PROXY}/{@code HTTPS_PROXY} (and their lower-case forms) pointing at
 * the proxy with a token as the password ({@link #environment}).
 *
 * <p>The token (format in {@code agent/egresstoken.go}) is {@code PAYLOAD.MAC}: the payload
 * {@code {"v":1,"sandbox":NAME,"hosts":[...],"exp":UNIX_SECONDS}} in base64url without padding,
 * and HMAC-SHA256 of that text under the key the proxy shares. It expires when the pod can no
 * longer run: its creation plus the pod's {@code activeDeadlineSeconds} plus the time it may wait
 * to be scheduled. The token is in the pod's environment, which whoever may read the namespace's
 * pods can see; it grants no more than the sandbox's own allow list, and the proxy admits
 * connections from sandbox pods only.
 *
 * @param address {@code host:port} of the proxy's Service as sandbox pods reach it, such as
 *     {@code sandboxes-worker-egress-proxy.sandboxes-system.svc:3128}
 * @param namespace the proxy pods' namespace, for the sandboxes' network policy
 * @param podLabels labels that select the proxy pods, for the sandboxes' network policy
 * @param port the port the proxy pods listen on (the policy is matched after a Service's
 *     translation, so this is the pods' port, not the Service's)
 */
public record EgressProxy(String address, String namespace, Map<String, String> podLabels, int port,
    Key key, Clock clock) {

  /** The shortest signing key the proxy accepts, in bytes. */
  public static final int MIN_KEY_BYTES = 32;

  /**
   * The environment variables that send a sandbox's HTTP and HTTPS clients through the proxy.
   * Most tools read the lower-case forms, some (Go, curl for HTTPS) the upper-case ones.
   */
  public static final List<String> PROXY_VARIABLES = List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy");

  /** The signing key: its bytes stay inside, and it never prints. */
  public static final class Key {
    private static final String ASCII_SPACE = " \t\n\u000b\f\r";
    private final byte[] bytes;

    private Key(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    /**
     * The key as the proxy reads its key file: the bytes with surrounding ASCII whitespace trimmed, at
     * least {@link #MIN_KEY_BYTES} of them ({@link IllegalArgumentException} otherwise).
     */
    public static Key of(byte[] file) {
      // ASCII whitespace alone, as the proxy trims it: a raw binary key keeps every other byte
      int from = 0;
      int to = file.length;
      while (from < to && ASCII_SPACE.indexOf(file[from]) >= 0) {
        from++;
      }
      while (to > from && ASCII_SPACE.indexOf(file[to - 1]) >= 0) {
        to--;
      }
      byte[] trimmed = java.util.Arrays.copyOfRange(file, from, to);
      if (trimmed.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException("the egress proxy's key is " + trimmed.length
            + " bytes; at least " + MIN_KEY_BYTES + " are required");
      }
      return new Key(trimmed);
    }

    /** The key in the file at {@code path}. */
    public static Key read(java.nio.file.Path path) {
      try {
        return of(java.nio.file.Files.readAllBytes(path));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("cannot read the egress proxy's key file " + path + ": " + e.getMessage(), e);
      }
    }

    String mac(String payload) {
      try {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(bytes, "HmacSHA256"));
        return BASE64URL.encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
      }
    }

    @Override
    public String toString() {
      return "Key[" + bytes.length + " bytes]";
    }
  }

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * Checks every field ({@link NullPointerException} for a missing one, {@link IllegalArgumentException}
   * for an address that is not {@code host:port}, no pod labels or a port outside 1 to 65535).
   */
  public EgressProxy {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(clock, "clock");
    podLabels = Map.copyOf(podLabels);
    int colon = address.lastIndexOf(':');
    String addressPort = colon < 1 ? "" : address.substring(colon + 1);
    if (!addressPort.matches("\\d{1,5}") || Integer.parseInt(addressPort) < 1 || Integer.parseInt(addressPort) > 65535
        || address.contains("/") || address.contains("@") || address.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("the egress proxy's address must be HOST:PORT, such as "
          + "sandboxes-worker-egress-proxy.sandboxes-system.svc:3128, got \"" + address + "\"");
    }
    if (podLabels.isEmpty()) {
      throw new IllegalArgumentException("the egress proxy's pod selector needs at least one label, or "
          + "sandboxes could reach every pod of " + namespace);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("the egress proxy's port must be 1 to 65535, got " + port);
    }
  }

  /** The proxy at {@code address} whose pods are {@code KEY=VALUE[,KEY=VALUE...]} in {@code namespace}. */
  public static EgressProxy of(String address, String namespace, String podSelector, int port, Key key) {
    // the agent clients' NAMESPACE:KEY=VALUE[,KEY=VALUE...] grammar, with the namespace given apart
    Map<String, String> labels;
    try {
      labels = KubernetesRuntimeOptions.AgentClients.parse(namespace + ":" + podSelector).labels();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the egress proxy's pod selector must be KEY=VALUE[,KEY=VALUE...], got \""
          + podSelector + "\"", e);
    }
    return new EgressProxy(address, namespace, labels, port, key, Clock.systemUTC());
  }

  /** This proxy with another clock (for tests). */
  public EgressProxy withClock(Clock value) {
    return new EgressProxy(address, namespace, podLabels, port, key, value);
  }

  /** The token that lets {@code sandbox} reach {@code hosts} until {@code expiry}. */
  public String token(String sandbox, List<String> hosts, Instant expiry) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("v", 1);
    payload.put("sandbox", sandbox);
    payload.put("hosts", hosts);
    payload.put("exp", Math.max(1, expiry.getEpochSecond()));
    String encoded;
    try {
      encoded = BASE64URL.encodeToString(JSON.writeValueAsBytes(payload));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a map of strings and numbers always serializes", e);
    }
    return encoded + "." + key.mac(encoded);
  }

  /**
   * The variables that send the clients of {@code sandbox} through the proxy to {@code hosts},
   * with a token valid for {@code lifetime} from now: the four of {@link #PROXY_VARIABLES}, all
   * {@code http://sandbox:TOKEN@ADDRESS} (the token's alphabet needs no escaping in a URL), and
   * {@code NO_PROXY}/{@code no_proxy} for the sandbox's loopback.
   */
  public Map<String, String> environment(String sandbox, List<String> hosts, java.time.Duration lifetime) {
    String url = "http://sandbox:" + token(sandbox, hosts, clock.instant().plus(lifetime)) + "@" + address;
    Map<String, String> env = new LinkedHashMap<>();
    PROXY_VARIABLES.forEach(name -> env.put(name, url));
    // the sandbox's own servers are reached directly, not refused by the proxy
    env.put("NO_PROXY", NO_PROXY);
    env.put("no_proxy", NO_PROXY);
    return env;
  }

  /** What a sandbox's clients reach without the proxy: its own loopback. */
  public static final String NO_PROXY = "localhost,127.0.0.1,::1";
}
