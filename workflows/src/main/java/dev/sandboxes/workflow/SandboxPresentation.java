package dev.sandboxes.workflow;

import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.common.SearchAttributes.Builder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a sandbox shows itself in Temporal: its search attributes at start, its static summary
 * (image and command, for the workflow list) and its current details (for the workflow page).
 * Used by every starter (client and author API) and by the workflow, so they agree.
 */
public final class SandboxPresentation {
  private static final int SUMMARY_LIMIT = 200;
  /**
   * The memo key of a sandbox's status (a {@link SandboxStatus}), kept by its workflow once it is
   * past {@code queued}: what {@code list} shows without asking each workflow. Its tags are left
   * out (the {@code SandboxTags} attribute has them) and its message is cut to
   * {@value #MEMO_MESSAGE_LIMIT} characters, keeping the memo small.
   */
  public static final String STATUS_MEMO = "sandboxStatus";
  /** The longest message the memo's status keeps (characters). */
  public static final int MEMO_MESSAGE_LIMIT = 500;

  private SandboxPresentation() {}

  /** Search attributes to start a sandbox workflow with: phase queued, image and tags. */
  public static io.temporal.common.SearchAttributes initialSearchAttributes(SandboxSpec spec) {
    Builder builder = io.temporal.common.SearchAttributes.newBuilder()
        .set(SearchAttributeKeys.PHASE, SandboxPhase.QUEUED.wireName())
        .set(SearchAttributeKeys.IMAGE, spec.image());
    if (!spec.tags().isEmpty()) {
      builder.set(SearchAttributeKeys.TAGS, tagEntries(spec.tags()));
    }
    if (!spec.volumeMounts().isEmpty()) {
      builder.set(SearchAttributeKeys.VOLUMES, volumeNames(spec));
    }
    return builder.build();
  }

  /**
   * The search-attribute updates of a sandbox entering {@code phase}; with {@code identity}
   * (the first upsert of a run) also its image, tags and volumes, so that a sandbox started
   * without {@link #initialSearchAttributes} still becomes searchable by them.
   */
  public static SearchAttributeUpdate<?>[] phaseUpdates(SandboxSpec spec, SandboxPhase phase,
      boolean identity) {
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    updates.add(SearchAttributeKeys.PHASE.valueSet(phase.wireName()));
    if (identity) {
      updates.add(SearchAttributeKeys.IMAGE.valueSet(spec.image()));
      if (!spec.tags().isEmpty()) {
        updates.add(SearchAttributeKeys.TAGS.valueSet(tagEntries(spec.tags())));
      }
      if (!spec.volumeMounts().isEmpty()) {
        updates.add(SearchAttributeKeys.VOLUMES.valueSet(volumeNames(spec)));
      }
    }
    return updates.toArray(new SearchAttributeUpdate<?>[0]);
  }

  /** The memo that holds {@code status} ({@link #STATUS_MEMO}): tags left out, message cut. */
  public static Map<String, Object> statusMemo(SandboxStatus status) {
    String message = status.message();
    if (message != null && message.length() > MEMO_MESSAGE_LIMIT) {
      int end = MEMO_MESSAGE_LIMIT - 3;
      if (Character.isHighSurrogate(message.charAt(end - 1))) {
        end--; // never half a character
      }
      message = message.substring(0, end) + "...";
    }
    return Map.of(STATUS_MEMO, new SandboxStatus(status.name(), status.image(), status.phase(), status.reason(),
        message, status.exitCode(), status.createdAt(), status.startedAt(), status.finishedAt(), status.ref(),
        Map.of(), status.execCount()));
  }

  /** The distinct volumes a sandbox mounts, sorted: its {@code SandboxVolumes} attribute. */
  public static List<String> volumeNames(SandboxSpec spec) {
    return spec.volumeMounts().values().stream().distinct().sorted().toList();
  }

  /** Tags as the {@code key=value} keywords of the {@code SandboxTags} attribute. */
  public static List<String> tagEntries(Map<String, String> tags) {
    return tags.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  /** Image and command, at most 200 bytes, for the workflow list in the Temporal UI. */
  public static String staticSummary(SandboxSpec spec) {
    String command = spec.idles() ? "(idle)" : String.join(" ", concat(spec.command(), spec.args()));
    String summary = spec.image() + " " + command;
    byte[] bytes = summary.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (bytes.length <= SUMMARY_LIMIT) {
      return summary;
    }
    return new String(bytes, 0, SUMMARY_LIMIT - 3, java.nio.charset.StandardCharsets.UTF_8)
        .replaceAll("\uFFFD$", "") + "...";
  }

  /**
   * Markdown shown as the workflow's current details: phase, reason, pod and exit code, one list
   * item each (the UI joins plain lines into one paragraph).
   */
  public static String currentDetails(SandboxStatus status) {
    StringBuilder md = new StringBuilder();
    md.append("- **Phase:** ").append(status.phase().wireName());
    if (status.reason() != null) {
      md.append(" (").append(status.reason()).append(')');
    }
    md.append('\n');
    if (status.message() != null) {
      md.append("- **Message:** ").append(status.message()).append('\n');
    }
    if (status.ref() != null) {
      md.append("- **Pod:** `").append(status.ref()).append("`\n");
    }
    if (status.exitCode() != null) {
      md.append("- **Exit code:** ").append(status.exitCode()).append('\n');
    }
    md.append("- **Execs:** ").append(status.execCount()).append('\n');
    return md.toString();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
