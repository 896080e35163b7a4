package dev.sandboxes.model;

import com.google.common.collect.MapMaker;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The fields a decoded request carried that its type does not know, such as a misspelt
 * {@code spec.cmd} for {@code spec.command}: each as a {@link Violation} naming its JSON path
 * (dots between names, {@code [i]} for a list entry) with the message {@code unknown field},
 * followed by a suggestion where a known field is close.
 *
 * <p>The wire records keep {@code @JsonIgnoreProperties(ignoreUnknown = true)}, so any mapper
 * reads them leniently; the plugin's data converter (installed when the plugin is on the
 * client) reads each payload of a {@code dev.sandboxes} type a second time, strictly, and
 * records here what the lenient read dropped, keyed by the very object it returned. The
 * workflows and the update validators then refuse such a request ({@link #of}). Without that
 * converter nothing is recorded, and requests are read leniently as before.
 *
 * <p>The map is keyed by identity and holds its keys weakly: an entry lives as long as the
 * decoded object. The same payload always decodes to the same answer, so what workflow code
 * reads here is the same on replay. Nothing else is shared between runs: only the object a run
 * was handed finds its entry.
 */
public final class UnknownFields {
  /** The message of an unknown field's violation. */
  public static final String UNKNOWN = "unknown field";

  // weak keys compare by identity (MapMaker): equal records decoded from different payloads
  // keep their own answers
  private static final Map<Object, List<Violation>> FOUND = new MapMaker().weakKeys().makeMap();

  private UnknownFields() {}

  /**
   * Records that {@code decoded} was read from a payload that carried the unknown fields
   * {@code fields} (nothing is recorded when it is empty). Called by the data converter that
   * decoded it.
   */
  public static void remember(Object decoded, List<Violation> fields) {
    Objects.requireNonNull(decoded, "decoded");
    if (!fields.isEmpty()) {
      FOUND.put(decoded, List.copyOf(fields));
    }
  }

  /**
   * The unknown fields {@code decoded} was read with (an inner object's before those of the
   * object holding it; the same payload always in the same order); empty for an
   * object built in Java, for {@code null}, and for one decoded without the plugin's converter.
   */
  public static List<Violation> of(Object decoded) {
    if (decoded == null) {
      return List.of();
    }
    List<Violation> found = FOUND.get(decoded);
    return found == null ? List.of() : found;
  }

  /**
   * The violation of the unknown field at {@code path}; with {@code suggestion} (a known field
   * close to it, or {@code null}) it adds {@code (did you mean suggestion?)}.
   */
  public static Violation unknown(String path, String suggestion) {
    return new Violation(path, suggestion == null ? UNKNOWN : UNKNOWN + " (did you mean " + suggestion + "?)");
  }
}
