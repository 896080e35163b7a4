package dev.sandboxes.model;

import com.google.common.net.InetAddresses;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Collects violations of the naming and format rules shared by specs and requests. Each check
 * names the field and the rule, so an error message tells the user exactly what to change.
 */
final class Rules {
  static final int MAX_NAME_LENGTH = 63;
  static final int MAX_ENV_ENTRIES = 128;
  static final int MAX_ENV_BYTES = 64 * 1024;
  static final int MAX_TAGS = 16;
  static final int MAX_TAG_LENGTH = 63;
  static final int MAX_VOLUME_MOUNTS = 16;
  static final int MAX_ARGV_BYTES = 64 * 1024;
  static final int MAX_PATH = 4096;
  static final int MAX_QUOTED = 64;
  /** The largest quantity in base units (cores, bytes) that a Kubernetes resource can hold. */
  static final java.math.BigDecimal MAX_QUANTITY = java.math.BigDecimal.valueOf(Long.MAX_VALUE);

  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern TAG_KEY = Pattern.compile("[a-z0-9]([-a-z0-9_.]*[a-z0-9])?");
  private static final Pattern TAG_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
  private static final Pattern QUANTITY =
      Pattern.compile("(\\d+(\\.\\d+)?|\\.\\d+)([numkMGTPE]|[KMGTPE]i|[eE][+-]?\\d+)?");
  private static final Pattern CIDR_V4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

  private final List<Violation> violations = new ArrayList<>();

  List<Violation> violations() {
    return violations;
  }

  void add(String field, String message) {
    violations.add(new Violation(field, message));
  }

  /** The value in double quotes; a long one cut short, so that a message stays one short line. */
  static String quote(String value) {
    if (value != null && value.length() > MAX_QUOTED) {
      return "\"" + value.substring(0, MAX_QUOTED) + "...\" (" + value.length() + " characters)";
    }
    return "\"" + value + "\"";
  }

  void dnsLabel(String field, String value) {
    if (value == null || value.isEmpty()) {
      add(field, "must not be empty");
    } else if (value.length() > MAX_NAME_LENGTH) {
      add(field, "must be at most " + MAX_NAME_LENGTH + " characters, got " + value.length());
    } else if (!DNS_1123_LABEL.matcher(value).matches()) {
      add(field, "must be a DNS-1123 label (lower-case letters, digits and '-', starting and "
          + "ending with a letter or digit), got " + quote(value));
    }
  }

  void quantity(String field, String value) {
    if (value == null) {
      return;
    }
    if (!QUANTITY.matcher(value).matches()) {
      add(field, "must be a Kubernetes quantity such as 500m, 2, 256Mi or 1Gi, got " + quote(value));
    } else if (quantityValue(value).signum() == 0) {
      add(field, "must be greater than zero, got " + quote(value));
    } else if (quantityValue(value).compareTo(MAX_QUANTITY) > 0) {
      add(field, "must be less than 8Ei, got " + quote(value));
    }
  }

  static final List<String> ACCESS_MODES = List.of("ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod");

  /** A volume's access mode, as Kubernetes names them; null is allowed (the default). */
  void accessMode(String field, String value) {
    if (value != null && !ACCESS_MODES.contains(value)) {
      add(field, "must be ReadWriteOnce, ReadWriteMany, ReadOnlyMany or ReadWriteOncePod, got " + quote(value));
    }
  }

  private static final List<String> DECIMAL_SUFFIXES = List.of("n", "u", "m", "", "k", "M", "G", "T", "P", "E");

  /** The value of a quantity that matched {@link #QUANTITY}, in base units (cores, bytes). */
  private static java.math.BigDecimal quantityValue(String value) {
    var m = QUANTITY.matcher(value);
    m.matches();
    String suffix = m.group(3) == null ? "" : m.group(3);
    java.math.BigDecimal number = new java.math.BigDecimal(value.substring(0, value.length() - suffix.length()));
    if (suffix.matches("[eE][+-]?\\d+")) {
      String exponent = suffix.substring(1).replace("+", "");
      // beyond 10^±100 a resource is out of range either way; spare BigDecimal a huge scale
      int scale = exponent.replace("-", "").length() > 3 ? (exponent.startsWith("-") ? -1000 : 1000)
          : Integer.parseInt(exponent);
      return Math.abs(scale) > 100 ? (scale > 0 ? MAX_QUANTITY.add(java.math.BigDecimal.ONE)
          : java.math.BigDecimal.ZERO) : number.scaleByPowerOfTen(scale);
    }
    if (suffix.endsWith("i")) {
      return number.multiply(java.math.BigDecimal.valueOf(2).pow(10 * ("KMGTPE".indexOf(suffix.charAt(0)) + 1)));
    }
    return number.scaleByPowerOfTen(3 * (DECIMAL_SUFFIXES.indexOf(suffix) - 3));
  }

  void env(String field, Map<String, String> env) {
    if (env.size() > MAX_ENV_ENTRIES) {
      add(field, "must have at most " + MAX_ENV_ENTRIES + " entries, got " + env.size());
    }
    int bytes = 0;
    for (Map.Entry<String, String> e : env.entrySet()) {
      String key = e.getKey();
      String entry = field + "[" + quote(key) + "]";
      if (key == null || !ENV_NAME.matcher(key).matches()) {
        add(entry, "name must match [A-Za-z_][A-Za-z0-9_]*");
      }
      if (e.getValue() == null) {
        add(entry, "value must not be null");
      } else {
        bytes += key == null ? 0 : key.length() + e.getValue().length();
      }
    }
    if (bytes > MAX_ENV_BYTES) {
      add(field, "must total at most " + MAX_ENV_BYTES + " characters, got " + bytes);
    }
  }

  void tags(String field, Map<String, String> tags) {
    if (tags.size() > MAX_TAGS) {
      add(field, "must have at most " + MAX_TAGS + " entries, got " + tags.size());
    }
    for (Map.Entry<String, String> e : tags.entrySet()) {
      String key = e.getKey();
      String entry = field + "[" + quote(key) + "]";
      if (key == null || key.length() > MAX_TAG_LENGTH || !TAG_KEY.matcher(key).matches()) {
        add(entry, "key must be at most " + MAX_TAG_LENGTH
            + " characters of lower-case letters, digits, '-', '_' and '.', starting and ending "
            + "with a letter or digit");
      }
      String value = e.getValue();
      if (value == null || value.length() > MAX_TAG_LENGTH || !TAG_VALUE.matcher(value).matches()) {
        add(entry, "value must be at most " + MAX_TAG_LENGTH
            + " characters of letters, digits, '-', '_' and '.', starting and ending with a "
            + "letter or digit");
      }
    }
  }

  void absolutePath(String field, String path) {
    if (path == null || path.isEmpty()) {
      add(field, "must not be empty");
    } else if (path.length() > MAX_PATH) {
      add(field, "must be at most " + MAX_PATH + " characters, got " + path.length());
    } else if (!path.startsWith("/")) {
      add(field, "must be an absolute path, got " + quote(path));
    } else if (List.of(path.split("/")).contains("..")) {
      add(field, "must not contain '..', got " + quote(path));
    } else if (path.indexOf('\0') >= 0) {
      add(field, "must not contain NUL characters");
    }
  }

  void argv(String field, List<String> argv, boolean required) {
    if (argv.isEmpty()) {
      if (required) {
        add(field, "must not be empty");
      }
      return;
    }
    int bytes = 0;
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (arg == null) {
        add(field + "[" + i + "]", "must not be null");
      } else {
        bytes += arg.length();
      }
    }
    if (argv.get(0) != null && argv.get(0).isBlank()) {
      add(field + "[0]", "must not be blank");
    }
    if (bytes > MAX_ARGV_BYTES) {
      add(field, "must total at most " + MAX_ARGV_BYTES + " characters, got " + bytes);
    }
  }

  void cidr(String field, String value) {
    if (value == null) {
      add(field, "must not be null");
      return;
    }
    int slash = value.indexOf('/');
    String address = slash < 0 ? value : value.substring(0, slash);
    String prefix = slash < 0 ? "" : value.substring(slash + 1);
    // Guava's parser reads address literals only (never DNS); a scope ID (%eth0) is no CIDR, nor
    // digits of another script, which Kubernetes would refuse
    boolean parses = InetAddresses.isInetAddress(address) && !address.contains("%")
        && address.chars().allMatch(c -> c < 0x7f);
    if (!parses || !prefix.matches("\\d{1,3}")) {
      add(field, CIDR_V4.matcher(value).matches() ? "must be a valid IPv4 CIDR, got " + quote(value)
          : "must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8, got " + quote(value));
      return;
    }
    // by the text, not the parsed address: ::ffff:10.0.0.0/104 is an IPv6 CIDR
    int max = address.contains(":") ? 128 : 32;
    if (Integer.parseInt(prefix) > max) {
      add(field, "prefix length must be at most " + max + ", got " + quote(value));
    }
  }

  private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9_-]{1,63}");
  private static final String HOST_FORMS = "must be host, host:port, *.domain or *.domain:port "
      + "(or an IP address, [IPv6]:port), such as api.example.com or *.example.org:443, got ";

  /**
   * An entry of an egress allow list by host name, read as the egress proxy reads it: a name (letters,
   * digits, '-', '_', labels of 1 to 63, at most 253 in all, one trailing dot allowed), a leading
   * {@code *.} over a domain, or an IP literal ({@code [v6]} when a port follows); then an
   * optional {@code :port} from 1 to 65535.
   */
  void egressHost(String field, String value) {
    if (value == null) {
      add(field, "must not be null");
      return;
    }
    if (value.chars().anyMatch(c -> c > 0x7e || c < 0x21)) {
      // the proxy reads ASCII alone: a digit or letter of another script would pass some parsers
      // here and make the proxy refuse the whole token
      add(field, HOST_FORMS + quote(value));
      return;
    }
    String host = value;
    String port = null;
    if (value.startsWith("[")) {
      int end = value.indexOf(']');
      String rest = end < 0 ? "" : value.substring(end + 1);
      if (end < 0 || !(rest.isEmpty() || rest.startsWith(":"))) {
        add(field, HOST_FORMS + quote(value));
        return;
      }
      host = value.substring(1, end);
      port = rest.isEmpty() ? null : rest.substring(1);
      if (!host.contains(":") || !InetAddresses.isInetAddress(host)) {
        add(field, "only an IPv6 address goes in brackets, got " + quote(value));
        return;
      }
    } else if (value.chars().filter(c -> c == ':').count() == 1) {
      host = value.substring(0, value.indexOf(':'));
      port = value.substring(value.indexOf(':') + 1);
    }
    if (port != null) {
      int number = port.matches("\\d{1,5}") ? Integer.parseInt(port) : 0;
      if (number < 1 || number > 65535) {
        add(field, "port must be a number from 1 to 65535, got " + quote(value));
        return;
      }
    }
    if (host.contains(":") || InetAddresses.isInetAddress(host)) {
      if (host.contains("%") || !InetAddresses.isInetAddress(host)) {
        add(field, HOST_FORMS + quote(value));
      }
      return;
    }
    String name = host.startsWith("*.") ? host.substring(2) : host;
    name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    boolean ok = !name.isEmpty() && name.length() <= 253;
    for (String label : name.split("\\.", -1)) {
      ok &= HOST_LABEL.matcher(label).matches();
    }
    if (ok && host.startsWith("*.") && InetAddresses.isInetAddress(name)) {
      add(field, "a wildcard goes over a domain name, not an address, got " + quote(value));
    } else if (!ok) {
      add(field, HOST_FORMS + quote(value));
    }
  }

  void orThrow(String what) {
    if (!violations.isEmpty()) {
      throw new InvalidSpecException(what, violations);
    }
  }
}
