package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.ExecRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The argv sent to the exec endpoint for a request, as a pure function.
 *
 * <p>The Kubernetes exec API takes only argv: no environment, no working directory. A request
 * with env, workdir or stdin is therefore wrapped as
 * {@code env K=V... sh -c SCRIPT sh WORKDIR HAS_STDIN STDIN argv...}, where {@code SCRIPT} is
 * a constant: every user string travels as a positional argument and is never parsed as shell
 * text. {@code env} rather than {@code export} keeps the variables out of the script, and the
 * fixed program name {@code sh} after the assignments means an argv[0] containing '=' cannot be
 * mistaken for one. A request with none of the three runs its argv directly, so images without
 * a shell (distroless) can still exec.
 *
 * <p>Stdin is passed as an argument and piped in by {@code printf} because fabric8 8.0 speaks
 * only the {@code v4.channel.k8s.io} exec protocol, which cannot half-close stdin: a command
 * reading to end of input ({@code cat}) would never see EOF. Linux limits one argument to
 * 128 KiB ({@code MAX_ARG_STRLEN}), so larger stdin, or stdin containing NUL, is streamed over
 * the websocket instead ({@link #stdinInArgv} false), with that EOF limitation.
 */
public final class ExecCommands {
  /** Stdin up to this many UTF-8 bytes travels in argv. */
  public static final int MAX_ARGV_STDIN_BYTES = 96 * 1024;

  static final String SCRIPT = "d=$1 i=$2 s=$3; shift 3; "
      + "if [ -n \"$d\" ]; then cd \"$d\" || exit; fi; "
      + "if [ \"$i\" = 1 ]; then printf %s \"$s\" | \"$@\"; exit; fi; "
      + "exec \"$@\"";

  private ExecCommands() {}

  /** True when the request's stdin is small enough, and NUL-free, to travel in argv. */
  public static boolean stdinInArgv(ExecRequest request) {
    return request.stdin() != null && request.stdin().indexOf('\0') < 0
        && request.stdin().getBytes(StandardCharsets.UTF_8).length <= MAX_ARGV_STDIN_BYTES;
  }

  /** The argv to send for {@code request}. */
  public static List<String> argv(ExecRequest request) {
    boolean stdin = stdinInArgv(request);
    if (request.env().isEmpty() && request.workdir() == null && !stdin) {
      return request.argv();
    }
    List<String> argv = new ArrayList<>();
    if (!request.env().isEmpty()) {
      argv.add("env");
      for (Map.Entry<String, String> e : request.env().entrySet()) {
        argv.add(e.getKey() + "=" + e.getValue());
      }
    }
    argv.add("sh");
    argv.add("-c");
    argv.add(SCRIPT);
    argv.add("sh");
    argv.add(request.workdir() == null ? "" : request.workdir());
    argv.add(stdin ? "1" : "0");
    argv.add(stdin ? request.stdin() : "");
    argv.addAll(request.argv());
    return argv;
  }
}
