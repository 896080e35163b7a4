package dev.sandboxes.model;

/**
 * One broken rule of a request: the field (as a path such as {@code env["1X"]}) and what it
 * must be. {@link #toString()} gives {@code field: message}.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record Violation(String field, String message) {
  /**
   * The violation of optional number {@code field} outside {@code min..max}; empty when it is
   * null (the default) or within.
   */
  public static java.util.Optional<Violation> outside(String field, Integer value, int min, int max) {
    return value == null || (value >= min && value <= max) ? java.util.Optional.empty()
        : java.util.Optional.of(new Violation(field, "must be between " + min + " and " + max + ", got " + value));
  }

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
