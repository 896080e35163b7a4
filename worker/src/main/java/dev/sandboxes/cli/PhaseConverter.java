package dev.sandboxes.cli;

import dev.sandboxes.model.SandboxPhase;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a phase as Porter spells it (lower case; upper case is accepted too). */
final class PhaseConverter implements ITypeConverter<SandboxPhase> {
  @Override
  public SandboxPhase convert(String value) {
    try {
      return SandboxPhase.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
