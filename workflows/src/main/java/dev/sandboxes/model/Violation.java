package dev.sandboxes.model;

/**
 * One broken rule of a request: the field (as a path such as {@code env["1X"]}) and what it
 * must be. {@link #toString()} gives {@code field: message}.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record Violation(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
