package dev.sandboxes.worker;

import dev.sandboxes.runtime.kubernetes.WarmPool;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One warm pool ({@code sandboxes.kubernetes.pools[i].*}): {@code size} idle pods of
 * {@code image} wait ready, and a sandbox of that image and size (no volumes, a command or none)
 * takes one instead of starting a pod. Needs the in-sandbox agent.
 *
 * @param name the pool's name, a DNS label of at most 30 characters
 * @param image the image of its pods
 * @param cpu the cpu of each pod; unset for the runtime's default
 * @param memory the memory of each pod; unset for the runtime's default
 * @param size how many idle pods it keeps (0 drains it)
 * @param refillPerMinute how many pods a minute it creates at most to get back to its size
 */
public record PoolProperties(String name, String image, String cpu, String memory,
    @DefaultValue("0") int size, @DefaultValue("60") int refillPerMinute) {

  WarmPool toPool() {
    return new WarmPool(name, image, cpu, memory, size, refillPerMinute);
  }
}
