package dev.sandboxes.model;

/**
 * A warm pool as it is now.
 *
 * @param name the pool's name
 * @param image the image its pods run
 * @param size how many idle pods it keeps
 * @param ready idle pods that a create can claim now
 * @param starting idle pods not ready yet
 * @param claimed pods sandboxes took from it that still exist
 */
public record PoolStatus(String name, String image, int size, int ready, int starting, int claimed) {}
