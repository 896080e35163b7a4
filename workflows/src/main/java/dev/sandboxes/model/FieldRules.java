package dev.sandboxes.model;

/**
 * The model's rules for single values, for configuration that must follow them too (the
 * worker's properties), so that a quantity or a name is judged the same way wherever it is
 * written. Each answers null when the value is fine, otherwise the rule it breaks, in the words
 * of the model's own errors; null values are the caller's to judge.
 */
public final class FieldRules {
  private FieldRules() {}

  /** A Kubernetes quantity greater than zero, such as {@code 500m} or {@code 2Gi}. */
  public static String quantity(String value) {
    return problem(Rules::quantity, value);
  }

  /** A DNS-1123 label, such as a Kubernetes namespace or a sandbox's name. */
  public static String dnsLabel(String value) {
    return problem(Rules::dnsLabel, value);
  }

  /** A volume access mode as Kubernetes names them. */
  public static String accessMode(String value) {
    return problem(Rules::accessMode, value);
  }

  private static String problem(TriConsumer check, String value) {
    Rules rules = new Rules();
    check.accept(rules, "value", value);
    return rules.violations().isEmpty() ? null : rules.violations().get(0).message();
  }

  @FunctionalInterface
  private interface TriConsumer {
    void accept(Rules rules, String field, String value);
  }
}
