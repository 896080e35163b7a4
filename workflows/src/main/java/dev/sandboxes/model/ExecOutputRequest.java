package dev.sandboxes.model;

import java.time.Duration;
import java.util.List;

/**
 * A read of an exec's output from an offset, waiting for output to come.
 *
 * @param execId the exec's ID ({@link ExecRequest#id}), or {@link #MAIN} for the output of the
 *     sandbox's own command
 * @param offset where to read from: 0, the {@link ExecOutputChunk#nextOffset} of the last read, or
 *     {@link #END} for what is written from now on
 * @param maxWait how long to wait when no new output has come yet; {@code null} for
 *     {@link #DEFAULT_WAIT}, at most {@link #MAX_WAIT}
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ExecOutputRequest(String execId, long offset, Duration maxWait) {
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(20);
  /** The exec ID that names the sandbox's own command (no exec can take it). */
  public static final String MAIN = "main";
  /** The offset that means "from the current end". */
  public static final long END = -1;
  public static final Duration MAX_WAIT = Duration.ofSeconds(50);

  /** The wait to apply: the requested one or {@link #DEFAULT_WAIT}. */
  public Duration effectiveWait() {
    return maxWait == null ? DEFAULT_WAIT : maxWait;
  }

  /**
   * Every broken rule: an {@code execId} that is not an exec ID, an offset below {@link #END}, a
   * wait that is negative or longer than {@link #MAX_WAIT}. Empty when the request is valid.
   */
  public List<Violation> violations() {
    Rules rules = new Rules();
    if (execId == null || !ExecRequest.ID_PATTERN.matcher(execId).matches()) {
      rules.add("execId", "must be an exec ID (a letter or digit followed by at most 127 letters, "
          + "digits, '.', '_' or '-'), got " + (execId == null ? "none" : "\"" + execId + "\""));
    }
    if (offset < END) {
      rules.add("offset", "must be an offset (0 or more) or -1 for the current end, got " + offset);
    }
    if (maxWait != null && (maxWait.isNegative() || maxWait.compareTo(MAX_WAIT) > 0)) {
      rules.add("maxWait", "must be from 0 to " + MAX_WAIT + ", got " + maxWait);
    }
    return rules.violations();
  }

  /** Returns this request, or throws {@link InvalidSpecException} naming every broken rule. */
  public ExecOutputRequest validated() {
    Rules rules = new Rules();
    violations().forEach(v -> rules.add(v.field(), v.message()));
    rules.orThrow("exec output request");
    return this;
  }
}
