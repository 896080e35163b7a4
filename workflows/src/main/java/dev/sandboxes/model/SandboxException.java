package dev.sandboxes.model;

/**
 * Base of the typed errors this library raises. {@link #type()} is the stable name that also
 * travels as the type of a Temporal {@code ApplicationFailure}, so callers on either side of a
 * workflow can tell errors apart without parsing messages.
 */
public class SandboxException extends RuntimeException {
  private final String type;

  public SandboxException(String type, String message) {
    super(message);
    this.type = type;
  }

  public SandboxException(String type, String message, Throwable cause) {
    super(message, cause);
    this.type = type;
  }

  public String type() {
    return type;
  }
}
