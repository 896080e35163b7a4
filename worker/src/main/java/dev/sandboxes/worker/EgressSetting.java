package dev.sandboxes.worker;

import dev.sandboxes.model.EgressPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the one-line form of an {@link EgressPolicy} used by {@code sandboxes.kubernetes.default-egress}:
 * {@value #DENY_ALL}, {@value #ALLOW_ALL}, or a comma-separated list of IPv4/IPv6 CIDRs such as
 * {@code 10.0.0.0/8,192.168.1.0/24} (those destinations plus DNS).
 */
public final class EgressSetting {
  public static final String DENY_ALL = "deny-all";
  public static final String ALLOW_ALL = "allow-all";

  private static final Pattern CIDR_V4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");
  private static final Pattern CIDR_V6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/(\\d{1,3})");

  private EgressSetting() {}

  /** The policy the text describes; {@link IllegalArgumentException} with the offending entry otherwise. */
  public static EgressPolicy parse(String text) {
    String value = text == null ? "" : text.strip();
    if (value.isEmpty()) {
      throw new IllegalArgumentException(
          "must be " + DENY_ALL + ", " + ALLOW_ALL + " or a comma-separated list of CIDRs, got an empty value");
    }
    if (value.equalsIgnoreCase(DENY_ALL)) {
      return EgressPolicy.denyAll();
    }
    if (value.equalsIgnoreCase(ALLOW_ALL)) {
      return EgressPolicy.allowAll();
    }
    List<String> cidrs = new ArrayList<>();
    for (String entry : value.split(",")) {
      String cidr = entry.strip();
      if (!isCidr(cidr)) {
        throw new IllegalArgumentException("must be " + DENY_ALL + ", " + ALLOW_ALL
            + " or a comma-separated list of CIDRs (e.g. 10.0.0.0/8), got \"" + cidr + "\"");
      }
      cidrs.add(cidr);
    }
    return EgressPolicy.allow(cidrs.toArray(String[]::new));
  }

  private static boolean isCidr(String value) {
    var v4 = CIDR_V4.matcher(value);
    if (v4.matches()) {
      for (int i = 1; i <= 4; i++) {
        if (Integer.parseInt(v4.group(i)) > 255) {
          return false;
        }
      }
      return Integer.parseInt(v4.group(5)) <= 32;
    }
    var v6 = CIDR_V6.matcher(value);
    return v6.matches() && Integer.parseInt(v6.group(1)) <= 128;
  }
}
