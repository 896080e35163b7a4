package dev.sandboxes.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends a process and all its descendants: SIGTERM to each, then SIGKILL to whatever still
 * lives after the grace period. Descendants are collected before the first signal, because
 * once their parent dies they are re-parented and no longer found below it.
 */
final class ProcessTree {
  private ProcessTree() {}

  static void terminate(ProcessHandle root, Duration grace) {
    List<ProcessHandle> tree = collect(root);
    tree.forEach(ProcessHandle::destroy);
    if (!awaitExit(tree, grace)) {
      // Children started during the grace period are found again from the survivors.
      List<ProcessHandle> survivors = new ArrayList<>();
      for (ProcessHandle p : tree) {
        if (p.isAlive()) {
          survivors.addAll(collect(p));
        }
      }
      survivors.forEach(ProcessHandle::destroyForcibly);
      awaitExit(survivors, Duration.ofSeconds(5));
    }
  }

  private static List<ProcessHandle> collect(ProcessHandle root) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(root);
    root.descendants().forEach(tree::add);
    return tree;
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

  private static boolean running(ProcessHandle process) {
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
