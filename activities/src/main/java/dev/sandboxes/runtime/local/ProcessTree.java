package dev.sandboxes.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Ends a process and all its descendants: SIGTERM first, SIGKILL to whatever still lives after
 * the grace period. Descendants are looked up while the root is still alive, because once it
 * dies they are re-parented and no longer found below it.
 *
 * <p>A wrapper root (bubblewrap) is spared the SIGTERM: killing it first can orphan the
 * sandbox's own init, which ignores SIGTERM (it is a PID-namespace init without a handler) and
 * may not yet have armed its parent-death signal. Instead the command inside gets the SIGTERM,
 * and the wrapper exits by itself once the command is gone.
 */
final class ProcessTree {
  private ProcessTree() {}

  /**
   * @param rootIsWrapper the root only supervises its descendants (bubblewrap) rather than
   *     being the command itself
   */
  static void terminate(ProcessHandle root, Duration grace, boolean rootIsWrapper) {
    Set<Long> signalled = new HashSet<>();
    List<ProcessHandle> seen = new ArrayList<>();
    // Children before their parent: signalled first, the parent could die and orphan them.
    root.descendants().filter(p -> signalled.add(p.pid())).forEach(p -> {
      seen.add(p);
      p.destroy();
    });
    if (!rootIsWrapper) {
      root.destroy();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    // Processes that appear during the grace period (a command still being exec'd by the
    // wrapper when we started) get their SIGTERM too, instead of waiting out the grace.
    while (running(root) && System.nanoTime() < deadline) {
      root.descendants().filter(p -> signalled.add(p.pid())).forEach(p -> {
        seen.add(p);
        p.destroy();
      });
      if (!pause()) {
        break;
      }
    }
    if (!running(root) && awaitExit(seen, Duration.ofMillis(200))) {
      return;
    }
    // Descendants first, while the root still holds them; then the root.
    List<ProcessHandle> survivors = new ArrayList<>();
    if (root.isAlive()) {
      root.descendants().forEach(survivors::add);
    }
    for (ProcessHandle p : seen) {
      if (p.isAlive()) {
        survivors.add(p);
        p.descendants().forEach(survivors::add);
      }
    }
    survivors.forEach(ProcessHandle::destroyForcibly);
    root.destroyForcibly();
    survivors.add(root);
    awaitExit(survivors, Duration.ofSeconds(5));
  }

  /** False when interrupted: then kill without further grace (and keep the interrupt). */
  private static boolean pause() {
    try {
      Thread.sleep(10);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Waits until every process is gone. A short poll rather than {@code onExit()}: for processes
   * that are not our children the JDK itself polls, and a killed grandchild stays a zombie
   * (alive to {@code isAlive()}) until whichever init adopted it reaps it, which can take
   * seconds in a container. A zombie has ended, so it counts as gone.
   */
  private static boolean awaitExit(List<ProcessHandle> processes, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (processes.stream().anyMatch(ProcessTree::running)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** Alive and not a zombie. */
  static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // The state follows the parenthesised command name, which may itself contain ") ".
      int end = stat.lastIndexOf(')');
      return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
    } catch (IOException e) {
      return false; // No /proc entry: it is gone.
    }
  }
}
