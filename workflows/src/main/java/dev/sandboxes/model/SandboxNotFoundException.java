package dev.sandboxes.model;

/** No sandbox of that name exists (or its runtime object is gone). */
public class SandboxNotFoundException extends SandboxException {
  /** An error of type {@link SandboxErrors#NOT_FOUND} with {@code message}. */
  public SandboxNotFoundException(String message) {
    super(SandboxErrors.NOT_FOUND, message);
  }
}
