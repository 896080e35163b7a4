package dev.sandboxes.runtime.local;

import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs sandbox processes as plain children of the worker: no isolation whatsoever. The
 * environment is cleared (the worker's credentials do not leak into sandboxes), {@code HOME}
 * is the sandbox's workspace directory and {@code TMPDIR} its tmp directory.
 *
 * <p>Working directories: {@code /workspace} and paths under it map into the sandbox's
 * workspace directory, so specs written for isolated sandboxes keep working; any other
 * absolute path is a host path, used as it is, and must exist.
 *
 * <p>Every command runs under a {@link ProcessSupervisor} when util-linux is installed, so it
 * and what it starts in its process group die with the worker, even on {@code kill -9}.
 * Without one, commands are direct children of the worker and outlive a worker that is killed.
 */
final class NoIsolation implements Isolation {
  private final Optional<ProcessSupervisor> supervisor;

  NoIsolation(Optional<ProcessSupervisor> supervisor) {
    this.supervisor = supervisor;
  }

  @Override
  public IsolationMode mode() {
    return IsolationMode.NONE;
  }

  @Override
  public boolean wrapsCommand() {
    return supervisor.isPresent();
  }

  @Override
  public ProcessBuilder processFor(SandboxView view, List<String> argv, Map<String, String> env, String workdir)
      throws IOException {
    Path directory = hostDirectory(view, workdir);
    ProcessBuilder builder = new ProcessBuilder(
        supervisor.isPresent() ? supervisor.get().commandLine(argv, directory) : argv);
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.put("PATH", SandboxView.PATH);
    environment.put("HOME", view.workspace().toString());
    environment.put("TMPDIR", view.tmp().toString());
    environment.putAll(env);
    builder.directory(directory.toFile());
    return builder;
  }

  static Path hostDirectory(SandboxView view, String workdir) {
    if (workdir == null || workdir.equals(SandboxView.WORKSPACE)) {
      return view.workspace();
    }
    if (workdir.startsWith(SandboxView.WORKSPACE + "/")) {
      Path dir = view.workspace().resolve(workdir.substring(SandboxView.WORKSPACE.length() + 1)).normalize();
      if (!dir.startsWith(view.workspace())) {
        throw invalidWorkdir(workdir, "must stay inside " + SandboxView.WORKSPACE);
      }
      try {
        return Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path dir = Path.of(workdir);
    if (!Files.isDirectory(dir)) {
      throw invalidWorkdir(workdir, "must be " + SandboxView.WORKSPACE + " (or below it) or an existing "
          + "host directory when the local runtime runs without isolation");
    }
    return dir;
  }

  private static InvalidSpecException invalidWorkdir(String workdir, String rule) {
    return new InvalidSpecException("working directory",
        List.of(new Violation("workdir", rule + ", got \"" + workdir + "\"")));
  }
}
