package dev.sandboxes.model;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One command to run inside a running sandbox. No shell is involved: {@code argv[0]} is the
 * program. A non-zero exit is a result, not an error.
 *
 * @param env extra environment for this command only
 * @param workdir working directory; {@code null} for the sandbox's
 * @param timeout how long to wait for the command; {@code null} for {@link #DEFAULT_TIMEOUT}
 * @param stdin text written to the command's standard input, then closed; {@code null} for none
 * @param id the exec's ID within its sandbox ({@link #ID_PATTERN}); {@code null} lets the sandbox
 *     workflow choose one. Where the sandbox keeps its execs (the in-sandbox agent), an ID runs
 *     its command at most once: the same request under the same ID attaches to the exec that
 *     runs or ran (its whole output, its exit code), which is how an exec survives the loss of
 *     the worker running it; another request under a used ID is refused
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ExecRequest(
    List<String> argv, Map<String, String> env, String workdir, Duration timeout, String stdin,
    String id) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration MAX_TIMEOUT = Duration.ofHours(6);
  public static final int MAX_STDIN_CHARS = 1024 * 1024;
  /** What an exec ID looks like: a letter or digit, then up to 127 letters, digits, '.', '_', '-'. */
  public static final java.util.regex.Pattern ID_PATTERN =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** A request without an ID (the sandbox workflow gives it one). */
  public ExecRequest(List<String> argv, Map<String, String> env, String workdir, Duration timeout,
      String stdin) {
    this(argv, env, workdir, timeout, stdin, null);
  }

  /**
   * Copies {@code argv} and {@code env} ({@code null} for empty), keeping null elements so that
   * validation can name them.
   */
  public ExecRequest {
    argv = argv == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(argv));
    env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
  }

  /**
   * A request to run {@code argv} with no extra environment, in the sandbox's working directory,
   * with {@link #DEFAULT_TIMEOUT}, no stdin and no ID.
   */
  public static ExecRequest of(String... argv) {
    return new ExecRequest(Arrays.asList(argv), null, null, null, null, null);
  }

  /** A copy with environment variable {@code key} set to {@code value}, replacing an earlier value of it. */
  public ExecRequest withEnv(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(env);
    copy.put(key, value);
    return new ExecRequest(argv, copy, workdir, timeout, stdin, id);
  }

  /** A copy that runs in {@code dir}, an absolute path; {@code null} for the sandbox's working directory. */
  public ExecRequest withWorkdir(String dir) {
    return new ExecRequest(argv, env, dir, timeout, stdin, id);
  }

  /**
   * A copy with timeout {@code limit}, positive and at most {@link #MAX_TIMEOUT}; {@code null} for
   * {@link #DEFAULT_TIMEOUT}.
   */
  public ExecRequest withTimeout(Duration limit) {
    return new ExecRequest(argv, env, workdir, limit, stdin, id);
  }

  /**
   * A copy that writes {@code input} (at most {@link #MAX_STDIN_CHARS} characters) to the command's
   * standard input; {@code null} for none.
   */
  public ExecRequest withStdin(String input) {
    return new ExecRequest(argv, env, workdir, timeout, input, id);
  }

  /** This request under exec ID {@code execId} (see {@link #id}). */
  public ExecRequest withId(String execId) {
    return new ExecRequest(argv, env, workdir, timeout, stdin, execId);
  }

  /** The timeout to apply: the requested one or {@link #DEFAULT_TIMEOUT}. */
  public Duration effectiveTimeout() {
    return timeout == null ? DEFAULT_TIMEOUT : timeout;
  }

  /**
   * Every broken rule of {@code argv}, {@code env}, {@code workdir}, {@code timeout}, {@code id}
   * and {@code stdin}, in that order; empty when the request is valid.
   */
  public List<Violation> violations() {
    Rules rules = new Rules();
    rules.argv("argv", argv, true);
    rules.env("env", env);
    if (workdir != null) {
      rules.absolutePath("workdir", workdir);
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      rules.add("timeout", "must be positive, got " + timeout);
    } else if (timeout != null && timeout.compareTo(MAX_TIMEOUT) > 0) {
      rules.add("timeout", "must be at most " + MAX_TIMEOUT + ", got " + timeout);
    }
    if ("main".equals(id)) {
      rules.add("id", "must not be \"main\", which names the sandbox's own command");
    } else if (id != null && !ID_PATTERN.matcher(id).matches()) {
      rules.add("id", "must be a letter or digit followed by at most 127 letters, digits, '.', '_' or '-', got \""
          + id + "\"");
    }
    if (stdin != null && stdin.length() > MAX_STDIN_CHARS) {
      rules.add("stdin", "must be at most " + MAX_STDIN_CHARS + " characters, got " + stdin.length());
    }
    return rules.violations();
  }

  /**
   * Returns this request, or throws {@link InvalidSpecException} naming every field it was decoded
   * with that it does not know ({@link UnknownFields}: only for a request read by the plugin's
   * data converter, as the {@code exec} update's validator gets it) and every broken rule.
   * {@link #violations()} checks the rules only, so a workflow replaying a request it was handed
   * long ago still decides as it did.
   */
  public ExecRequest validated() {
    Rules rules = new Rules();
    UnknownFields.of(this).forEach(v -> rules.add(v.field(), v.message()));
    violations().forEach(v -> rules.add(v.field(), v.message()));
    rules.orThrow("exec request");
    return this;
  }
}
