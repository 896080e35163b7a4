package dev.sandboxes.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs sandbox processes under bubblewrap. The root is a fresh tmpfs holding only read-only
 * binds of the host's {@code /usr} and {@code /etc} (with {@code /bin}, {@code /sbin},
 * {@code /lib*} recreated as the host has them), private {@code /dev} and {@code /proc}, the
 * sandbox's {@code /tmp} and {@code /workspace} and its volumes. All namespaces are unshared
 * (network too unless the view allows egress, which leaves only loopback), every capability is
 * dropped, the environment is cleared, and the sandbox dies with the process that started it.
 *
 * <p>{@code --ro-bind / /} would be simpler but leaves no place to create mount points such
 * as {@code /workspace}, and shows the whole host.
 */
final class BubblewrapIsolation implements Isolation {
  /** Host directories that are symlinks into {@code /usr} on merged-/usr systems. */
  private static final List<String> ROOT_LINKS = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

  private final Path bwrap;

  BubblewrapIsolation(Path bwrap) {
    this.bwrap = bwrap;
  }

  /** {@code bwrap} on the {@code PATH}, if any. */
  static Optional<Path> findOnPath() {
    return Isolation.findOnPath("bwrap");
  }

  /**
   * Runs {@code true} in an empty sandbox; returns why that failed, or empty when it worked.
   * Catches kernels or containers that forbid the namespaces bubblewrap needs.
   */
  Optional<String> probe(Path scratch) {
    try {
      Files.createDirectories(scratch.resolve("workspace"));
      Files.createDirectories(scratch.resolve("tmp"));
      SandboxView view = new SandboxView("probe", scratch.resolve("workspace"), scratch.resolve("tmp"), Map.of(), false);
      Process process = processFor(view, List.of("true"), Map.of(), null)
          .redirectErrorStream(true)
          .start();
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.of("a probe sandbox did not finish within 10 seconds");
      }
      String output = new String(process.getInputStream().readAllBytes()).trim();
      return process.exitValue() == 0
          ? Optional.empty()
          : Optional.of("a probe sandbox exited with " + process.exitValue() + ": " + output);
    } catch (IOException e) {
      return Optional.of("a probe sandbox could not start: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while probing");
    }
  }

  @Override
  public IsolationMode mode() {
    return IsolationMode.BUBBLEWRAP;
  }

  /** bubblewrap runs the command as its child and exits with it; with it go all it started. */
  @Override
  public boolean wrapsCommand() {
    return true;
  }

  @Override
  public ProcessBuilder processFor(SandboxView view, List<String> argv, Map<String, String> env, String workdir) {
    return new ProcessBuilder(commandLine(view, argv, env, workdir));
  }

  /** The complete {@code bwrap} argv; a pure function of its inputs and the host's root links. */
  List<String> commandLine(SandboxView view, List<String> argv, Map<String, String> env, String workdir) {
    List<String> cmd = new ArrayList<>();
    cmd.add(bwrap.toString());
    add(cmd, "--tmpfs", "/");
    add(cmd, "--ro-bind", "/usr", "/usr");
    for (String link : ROOT_LINKS) {
      Path host = Path.of(link);
      if (Files.isSymbolicLink(host)) {
        try {
          add(cmd, "--symlink", Files.readSymbolicLink(host).toString(), link);
        } catch (IOException e) {
          // Unreadable link: leave it out; /usr still has everything on merged-/usr hosts.
        }
      } else if (Files.isDirectory(host)) {
        add(cmd, "--ro-bind", link, link);
      }
    }
    add(cmd, "--ro-bind", "/etc", "/etc");
    add(cmd, "--dev", "/dev");
    add(cmd, "--proc", "/proc");
    add(cmd, "--bind", view.tmp().toString(), "/tmp");
    add(cmd, "--dir", SandboxView.WORKSPACE);
    add(cmd, "--bind", view.workspace().toString(), SandboxView.WORKSPACE);
    // Shorter paths first, so a volume mounted inside another mount (or /workspace) lands on top.
    view.mounts().entrySet().stream()
        .sorted(Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length())
            .thenComparing(Map.Entry::getKey))
        .forEach(m -> {
          add(cmd, "--dir", m.getKey());
          add(cmd, "--bind", m.getValue().toString(), m.getKey());
        });
    cmd.add("--unshare-all");
    if (view.network()) {
      cmd.add("--share-net");
    }
    add(cmd, "--hostname", view.hostname());
    add(cmd, "--cap-drop", "ALL");
    cmd.add("--die-with-parent");
    cmd.add("--new-session");
    cmd.add("--clearenv");
    add(cmd, "--setenv", "PATH", SandboxView.PATH);
    add(cmd, "--setenv", "HOME", SandboxView.WORKSPACE);
    env.forEach((k, v) -> add(cmd, "--setenv", k, v));
    String dir = workdir == null ? SandboxView.WORKSPACE : workdir;
    // --dir makes a missing working directory instead of failing the start, as a container does.
    add(cmd, "--dir", dir);
    add(cmd, "--chdir", dir);
    cmd.add("--");
    cmd.addAll(argv);
    return cmd;
  }

  private static void add(List<String> cmd, String... parts) {
    cmd.addAll(List.of(parts));
  }
}
