package dev.sandboxes.model;

import java.util.List;

/**
 * Where a sandbox may open network connections. {@code unrestricted} false with an empty list means
 * no egress at all (Porter's "empty = deny all"); a list of CIDRs allows those destinations
 * (and DNS, so names resolve). On Kubernetes it is rendered as a NetworkPolicy.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record EgressPolicy(boolean unrestricted, List<String> allowedCidrs) {
  public static final int MAX_ALLOWED_CIDRS = 100;

  /**
   * Copies {@code allowedCidrs} ({@code null} for none), keeping null entries so that validation
   * can name them.
   */
  public EgressPolicy {
    // List.copyOf rejects null elements; keep them so validation can name them.
    allowedCidrs = allowedCidrs == null ? List.of()
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(allowedCidrs));
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

  /** True when no egress is allowed at all: not unrestricted and no CIDRs. */
  public boolean deniesAll() {
    return !unrestricted && allowedCidrs.isEmpty();
  }

  void check(Rules rules, String field) {
    if (unrestricted && !allowedCidrs.isEmpty()) {
      rules.add(field, "unrestricted and allowedCidrs are mutually exclusive");
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
