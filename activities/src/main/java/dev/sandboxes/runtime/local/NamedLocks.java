package dev.sandboxes.runtime.local;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One lock object per name, so that the calls about one sandbox, or one volume, take turns. */
final class NamedLocks {
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  /** The lock of {@code name}, the same object for every call. */
  Object of(String name) {
    return locks.computeIfAbsent(name, k -> new Object());
  }
}
