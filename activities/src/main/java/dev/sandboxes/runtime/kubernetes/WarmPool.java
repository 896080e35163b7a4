package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A warm pool, as the worker's configuration declares it: {@code size} idle pods of one image
 * and size wait ready, refilled at most {@code refillPerMinute} a minute, and a sandbox whose
 * spec fits ({@link WarmPools#ineligibility}) takes one instead of starting a pod.
 *
 * @param name the pool's name: a DNS label of at most 30 characters (it prefixes its pods' names)
 * @param image the image every pod of the pool runs
 * @param cpu the CPU of each pod (request = limit); null for the runtime's default
 * @param memory the memory of each pod (request = limit); null for the runtime's default
 * @param size how many idle pods the pool keeps
 * @param refillPerMinute how many pods a minute the pool creates at most to get back to its size
 */
public record WarmPool(String name, String image, String cpu, String memory, int size, int refillPerMinute) {
  static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,28}[a-z0-9])?");

  /** Every broken rule, naming the field as {@code pools[i].field}. */
  public List<Violation> violations(int index) {
    String at = "pools[" + index + "].";
    List<Violation> violations = new ArrayList<>();
    if (name == null || !NAME.matcher(name).matches()) {
      violations.add(new Violation(at + "name", "must be a DNS label of at most 30 characters "
          + "(lower-case letters, digits and '-', starting and ending with a letter or digit), got " + name));
    }
    if (image == null || image.isBlank()) {
      violations.add(new Violation(at + "image", "must not be blank"));
    }
    if (size < 0 || size > 1000) {
      violations.add(new Violation(at + "size", "must be between 0 and 1000, got " + size));
    }
    if (refillPerMinute < 1) {
      violations.add(new Violation(at + "refillPerMinute", "must be at least 1, got " + refillPerMinute));
    }
    return violations;
  }

  /** {@code pools}, or {@link InvalidSpecException} naming every broken rule and duplicate name. */
  public static List<WarmPool> validated(List<WarmPool> pools) {
    List<Violation> violations = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < pools.size(); i++) {
      violations.addAll(pools.get(i).violations(i));
      if (pools.get(i).name() != null && !names.add(pools.get(i).name())) {
        violations.add(new Violation("pools[" + i + "].name", "another pool is named " + pools.get(i).name()));
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidSpecException("warm pools", violations);
    }
    return List.copyOf(pools);
  }
}
