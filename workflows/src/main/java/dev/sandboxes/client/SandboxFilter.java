package dev.sandboxes.client;

import dev.sandboxes.model.SandboxPhase;
import java.util.Map;
import java.util.Set;

/**
 * Which sandboxes to list: all conditions must hold. With no phases given, terminated sandboxes
 * are left out unless {@code includeTerminated}.
 *
 * @param phases any of these phases; empty for any
 * @param tags every one of these tags
 * @param image exactly this image; {@code null} for any
 * @param volume mounting this volume; {@code null} for any
 */
public record SandboxFilter(Set<SandboxPhase> phases, Map<String, String> tags, String image,
    String volume, boolean includeTerminated) {
  /** Copies {@code phases} and {@code tags}; {@code null} for none. */
  public SandboxFilter {
    phases = phases == null ? Set.of() : Set.copyOf(phases);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  /** Every sandbox, terminated ones included. */
  public static SandboxFilter all() {
    return new SandboxFilter(Set.of(), Map.of(), null, null, true);
  }

  /** The sandboxes that have not reached a terminal phase: those that may still hold a pod or process. */
  public static SandboxFilter unfinished() {
    Set<SandboxPhase> phases = java.util.EnumSet.noneOf(SandboxPhase.class);
    for (SandboxPhase phase : SandboxPhase.values()) {
      if (!phase.terminal()) {
        phases.add(phase);
      }
    }
    return new SandboxFilter(phases, Map.of(), null, null, false);
  }

  /** The sandboxes attached to a volume: those that mount it and have not reached a terminal phase. */
  public static SandboxFilter attachedTo(String volume) {
    return unfinished().withVolume(volume);
  }

  /** A copy that selects only sandboxes that mount volume {@code name}; {@code null} for any. */
  public SandboxFilter withVolume(String name) {
    return new SandboxFilter(phases, tags, image, name, includeTerminated);
  }

  /**
   * A copy that selects only sandboxes that have every one of {@code entries} as tags, in place of
   * the tags asked for before; {@code null} for any.
   */
  public SandboxFilter withTags(Map<String, String> entries) {
    return new SandboxFilter(phases, entries, image, volume, includeTerminated);
  }

  /** True when a sandbox with these attributes is selected. */
  public boolean matches(SandboxSummary sandbox) {
    return matches(sandbox.phase(), sandbox.tags(), sandbox.image())
        && (volume == null || sandbox.volumes().contains(volume));
  }

  /** True when a sandbox with these attributes is selected (the volume condition aside). */
  public boolean matches(SandboxPhase phase, Map<String, String> sandboxTags, String sandboxImage) {
    if (!phases.isEmpty() ? !phases.contains(phase)
        : !includeTerminated && phase == SandboxPhase.TERMINATED) {
      return false;
    }
    if (image != null && !image.equals(sandboxImage)) {
      return false;
    }
    return tags.entrySet().stream()
        .allMatch(t -> t.getValue().equals(sandboxTags.get(t.getKey())));
  }

  /** The same selection as a Temporal visibility query over the sandbox search attributes. */
  public String visibilityQuery() {
    StringBuilder q = new StringBuilder("WorkflowType = 'Sandbox'");
    Set<SandboxPhase> wanted = !phases.isEmpty() ? phases
        : includeTerminated ? Set.of() : java.util.EnumSet.complementOf(java.util.EnumSet.of(SandboxPhase.TERMINATED));
    if (!wanted.isEmpty()) {
      q.append(" AND (");
      q.append(String.join(" OR ", wanted.stream().sorted().map(SandboxFilter::phaseCondition).toList()));
      q.append(')');
    }
    tags.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(t -> q.append(" AND SandboxTags = ").append(quote(t.getKey() + "=" + t.getValue())));
    if (image != null) {
      q.append(" AND SandboxImage = ").append(quote(image));
    }
    if (volume != null) {
      q.append(" AND SandboxVolumes = ").append(quote(volume));
    }
    return q.toString();
  }

  /**
   * The condition for a sandbox in {@code phase}, whose {@code SandboxPhase} attribute holds the
   * phase its workflow recorded last. A workflow closed by something outside the project
   * (terminated or timed out by Temporal, or failed) never records its end: with a phase short of
   * terminal it is a sandbox {@code terminated} ({@code failed} for a failure), as its clients
   * derive it ({@code SandboxClient}).
   */
  private static String phaseCondition(SandboxPhase phase) {
    String recorded = "SandboxPhase = " + quote(phase.wireName());
    if (!phase.terminal()) {
      return "(" + recorded + " AND ExecutionStatus != 'Terminated' AND ExecutionStatus != 'TimedOut'"
          + " AND ExecutionStatus != 'Failed')";
    }
    String unfinished = "SandboxPhase IN (" + String.join(", ", java.util.Arrays.stream(SandboxPhase.values())
        .filter(p -> !p.terminal()).map(p -> quote(p.wireName())).toList()) + ")";
    return switch (phase) {
      case TERMINATED -> "(" + recorded + " OR (" + unfinished
          + " AND (ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut')))";
      case FAILED -> "(" + recorded + " OR (" + unfinished + " AND ExecutionStatus = 'Failed'))";
      default -> recorded;
    };
  }

  private static String quote(String value) {
    if (value.indexOf('\'') >= 0 || value.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("filter values must not contain quotes or backslashes, got "
          + value);
    }
    return "'" + value + "'";
  }
}
