package dev.sandboxes.model;

import java.util.List;

/**
 * Where a sandbox may open network connections. {@code unrestricted} false with empty lists means
 * no egress at all (Porter's "empty = deny all"); a list of CIDRs allows those destinations
 * (and DNS, so names resolve); a list of host names allows those hosts through the worker's
 * egress proxy, which the sandbox's {@code HTTP_PROXY} and {@code HTTPS_PROXY} point at (and DNS).
 * On Kubernetes it is rendered as a NetworkPolicy.
 *
 * <p>Each entry of {@code allowedHosts} is {@code host}, {@code host:port}, {@code *.domain} (any
 * name under the domain, not the domain itself), {@code *.domain:port}, or an IP literal with or
 * without a port ({@code [v6]:443}); without a port, any port.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record EgressPolicy(boolean unrestricted, List<String> allowedCidrs, List<String> allowedHosts) {
  public static final int MAX_ALLOWED_CIDRS = 100;
  public static final int MAX_ALLOWED_HOSTS = 100;

  /**
   * Copies {@code allowedCidrs} and {@code allowedHosts} ({@code null} for none, as in a spec
   * recorded before host names existed), keeping null entries so that validation can name them.
   */
  public EgressPolicy {
    // List.copyOf rejects null elements; keep them so validation can name them.
    allowedCidrs = allowedCidrs == null ? List.of()
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(allowedCidrs));
    allowedHosts = allowedHosts == null ? List.of()
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(allowedHosts));
  }

  /** A policy of CIDRs only (or none), as before host names existed. */
  public EgressPolicy(boolean unrestricted, List<String> allowedCidrs) {
    this(unrestricted, allowedCidrs, List.of());
  }

  /** No egress at all: not unrestricted and no CIDRs. */
  public static EgressPolicy denyAll() {
    return new EgressPolicy(false, List.of());
  }

  /** Egress to any destination. */
  public static EgressPolicy allowAll() {
    return new EgressPolicy(true, List.of());
  }

  /**
   * Egress to these CIDRs only (IPv4 or IPv6, such as {@code 10.0.0.0/8}) and to DNS; with none it
   * denies all. They are not checked here: a spec's validation names each malformed one.
   */
  public static EgressPolicy allow(String... cidrs) {
    return new EgressPolicy(false, java.util.Arrays.asList(cidrs));
  }

  /**
   * Egress to these hosts only, through the worker's egress proxy (see the class comment for the
   * forms), and to DNS; with none it denies all. Checked by a spec's validation.
   */
  public static EgressPolicy allowHosts(String... hosts) {
    return new EgressPolicy(false, List.of(), java.util.Arrays.asList(hosts));
  }

  /** This policy with {@code hosts} allowed too. */
  public EgressPolicy withHosts(List<String> hosts) {
    return new EgressPolicy(unrestricted, allowedCidrs, hosts);
  }

  /** True when no egress is allowed at all: not unrestricted, no CIDRs and no hosts. */
  public boolean deniesAll() {
    return !unrestricted && allowedCidrs.isEmpty() && allowedHosts.isEmpty();
  }

  void check(Rules rules, String field) {
    if (unrestricted && !allowedCidrs.isEmpty()) {
      rules.add(field, "unrestricted and allowedCidrs are mutually exclusive");
    }
    if (unrestricted && !allowedHosts.isEmpty()) {
      rules.add(field, "unrestricted and allowedHosts are mutually exclusive");
    }
    if (allowedHosts.size() > MAX_ALLOWED_HOSTS) {
      rules.add(field + ".allowedHosts", "must have at most " + MAX_ALLOWED_HOSTS + " entries, got "
          + allowedHosts.size());
    } else {
      for (int i = 0; i < allowedHosts.size(); i++) {
        rules.egressHost(field + ".allowedHosts[" + i + "]", allowedHosts.get(i));
      }
    }
    if (allowedCidrs.size() > MAX_ALLOWED_CIDRS) {
      rules.add(field + ".allowedCidrs", "must have at most " + MAX_ALLOWED_CIDRS + " entries, got "
          + allowedCidrs.size());
      return;
    }
    for (int i = 0; i < allowedCidrs.size(); i++) {
      rules.cidr(field + ".allowedCidrs[" + i + "]", allowedCidrs.get(i));
    }
  }
}
