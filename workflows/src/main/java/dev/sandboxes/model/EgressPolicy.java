package dev.sandboxes.model;

import java.util.List;

/**
 * Where a sandbox may open network connections. {@code unrestricted} false with an empty list means
 * no egress at all (Porter's "empty = deny all"); a list of CIDRs allows those destinations
 * (and DNS, so names resolve). On Kubernetes it is rendered as a NetworkPolicy.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record EgressPolicy(boolean unrestricted, List<String> allowedCidrs) {
  public EgressPolicy {
    allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
  }

  public static EgressPolicy denyAll() {
    return new EgressPolicy(false, List.of());
  }

  public static EgressPolicy allowAll() {
    return new EgressPolicy(true, List.of());
  }

  public static EgressPolicy allow(String... cidrs) {
    return new EgressPolicy(false, List.of(cidrs));
  }

  public boolean deniesAll() {
    return !unrestricted && allowedCidrs.isEmpty();
  }

  void check(Rules rules, String field) {
    if (unrestricted && !allowedCidrs.isEmpty()) {
      rules.add(field, "unrestricted and allowedCidrs are mutually exclusive");
    }
    for (int i = 0; i < allowedCidrs.size(); i++) {
      rules.cidr(field + ".allowedCidrs[" + i + "]", allowedCidrs.get(i));
    }
  }
}
