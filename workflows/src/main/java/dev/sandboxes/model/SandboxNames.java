package dev.sandboxes.model;

import java.util.UUID;

/** Sandbox name rules and generated names. */
public final class SandboxNames {
  private SandboxNames() {}

  /** Validates a sandbox name: a DNS-1123 label of at most 63 characters. */
  public static String valid(String name) {
    Rules rules = new Rules();
    rules.dnsLabel("name", name);
    rules.orThrow("sandbox name");
    return name;
  }

  /** What is wrong with {@code value} as a DNS-1123 label of at most {@code maxLength} characters. */
  public static java.util.List<Violation> labelViolations(String field, String value, int maxLength) {
    Rules rules = new Rules();
    rules.dnsLabel(field, value);
    if (rules.violations().isEmpty() && value.length() > maxLength) {
      rules.add(field, "must be at most " + maxLength + " characters, got " + value.length());
    }
    return rules.violations();
  }

  /**
   * A fresh name {@code sbx-} + 12 base-36 characters from the given UUID. Workflow code passes
   * {@code Workflow.randomUUID()} so that replay produces the same name.
   */
  public static String generate(UUID uuid) {
    String bits = Long.toString(uuid.getMostSignificantBits() & Long.MAX_VALUE, 36)
        + Long.toString(uuid.getLeastSignificantBits() & Long.MAX_VALUE, 36);
    return "sbx-" + (bits + "000000000000").substring(0, 12);
  }
}
