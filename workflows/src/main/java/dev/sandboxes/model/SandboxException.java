package dev.sandboxes.model;

/**
 * Base of the typed errors this library raises. {@link #type()} is the stable name that also
 * travels as the type of a Temporal {@code ApplicationFailure}, so callers on either side of a
 * workflow can tell errors apart without parsing messages.
 */
public class SandboxException extends RuntimeException {
  private final String type;

  /** An error of type {@code type} (one of {@link SandboxErrors}) with {@code message}. */
  public SandboxException(String type, String message) {
    super(message);
    this.type = type;
  }

  /**
   * An error of type {@code type} (one of {@link SandboxErrors}) with {@code message}, caused by
   * {@code cause}.
   */
  public SandboxException(String type, String message, Throwable cause) {
    super(message, cause);
    this.type = type;
  }

  /**
   * The stable error type, also the type of the Temporal {@code ApplicationFailure} this error
   * travels as.
   */
  public String type() {
    return type;
  }
}
