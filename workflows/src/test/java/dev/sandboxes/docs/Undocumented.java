package dev.sandboxes.docs;

/** A fixture of {@link JavadocCoverageTest}: what the check must and must not report. */
public class Undocumented {
  /** Documented. */
  public void documented() {}

  public void plain() {}

  void packagePrivate() {}

  @Override
  public String toString() {
    return "inherits its comment";
  }

  public static class Nested {
    public Nested() {}
  }
}
