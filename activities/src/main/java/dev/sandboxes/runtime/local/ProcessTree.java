package dev.sandboxes.runtime.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

  private static boolean awaitExit(List<ProcessHandle> processes, Duration limit) {
    CompletableFuture<?>[] exits = processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
