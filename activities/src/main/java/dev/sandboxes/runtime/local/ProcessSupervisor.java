package dev.sandboxes.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes a plain (unisolated) command die with the worker, as bubblewrap's
 * {@code --die-with-parent} and PID namespace do for isolated ones.
 *
 * <p>The worker's child is a small {@code sh} that util-linux {@code setpriv} gives a
 * parent-death signal (SIGTERM). It starts the command with {@code setsid} in a session and
 * process group of its own, waits for it and exits with its code. It kills that whole group
 * with SIGKILL when:
 * <ul>
 *   <li>the worker dies, even by {@code kill -9} (the parent-death signal; a worker that died
 *       before the signal was armed is caught by comparing the parent pid with the worker's);
 *   <li>it gets SIGTERM, SIGINT or SIGHUP (a Ctrl-C in the worker's terminal reaches the
 *       supervisor, not the command, which is in another session);
 *   <li>the command exits: what it left running in the background ends with it, as the rest
 *       of a container ends with its main process.
 * </ul>
 *
 * <p>Limit: a process that leaves the group itself ({@code setsid}, {@code setpgid}, a
 * daemon's double fork) is not killed on worker death. Bubblewrap's PID namespace has no such
 * gap; this is one more reason the unisolated mode is for development only.
 *
 * <p>The supervisor is only a wrapper: stop a command by signalling its descendants, never the
 * supervisor first ({@link ProcessTree#terminate} with {@code rootIsWrapper}).
 */
final class ProcessSupervisor {
  /** {@code $1} is the worker's pid, {@code $2} the {@code setsid} program, the rest the command. */
  private static final String SCRIPT = String.join("\n",
      "worker=$1; setsid=$2; shift 2",
      "trap 'gone=1' TERM INT HUP",
      // An asynchronous command's stdin is /dev/null unless redirected: hand it ours (exec stdin).
      "exec 3<&0",
      "\"$setsid\" -- \"$@\" <&3 3<&- &",
      "child=$!",
      "exec 3<&-",
      "trap 'kill -KILL -$child $child 2>/dev/null; exit 143' TERM INT HUP",
      "if [ -n \"$gone\" ] || [ \"$PPID\" != \"$worker\" ]; then kill -KILL -$child $child 2>/dev/null; exit 143; fi",
      "wait $child",
      "code=$?",
      "kill -KILL -$child 2>/dev/null",
      "exit $code");

  /** {@code $0} of the supervising shell: how it shows in {@code ps}. */
  static final String NAME = "sandbox-supervisor";

  private final Path setpriv;
  private final Path setsid;
  private final Path shell;

  private ProcessSupervisor(Path setpriv, Path setsid, Path shell) {
    this.setpriv = setpriv;
    this.setsid = setsid;
    this.shell = shell;
  }

  /** A supervisor when {@code setpriv} and {@code setsid} (util-linux) and {@code sh} are on the PATH. */
  static Optional<ProcessSupervisor> find() {
    Optional<Path> setpriv = Isolation.findOnPath("setpriv");
    Optional<Path> setsid = Isolation.findOnPath("setsid");
    Optional<Path> shell = Isolation.findOnPath("sh");
    if (setpriv.isEmpty() || setsid.isEmpty() || shell.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ProcessSupervisor(setpriv.get(), setsid.get(), shell.get()));
  }

  /**
   * The command line that runs {@code argv} under supervision.
   *
   * @throws IOException when the program cannot be found: reported before anything starts, as
   *     starting the program directly would
   */
  List<String> commandLine(List<String> argv, Path directory) throws IOException {
    requireProgram(argv.get(0), directory);
    List<String> cmd = new ArrayList<>(List.of(setpriv.toString(), "--pdeathsig", "TERM", "--",
        shell.toString(), "-c", SCRIPT, NAME, Long.toString(ProcessHandle.current().pid()), setsid.toString()));
    cmd.addAll(argv);
    return cmd;
  }

  /** Resolves the program the way the JDK does when it starts one: the worker's PATH. */
  private static void requireProgram(String program, Path directory) throws IOException {
    boolean found = program.contains("/")
        ? Files.isExecutable(directory.resolve(program))
        : Isolation.findOnPath(program).isPresent();
    if (!found) {
      throw new IOException("Cannot run program \"" + program + "\": No such file or directory");
    }
  }
}
