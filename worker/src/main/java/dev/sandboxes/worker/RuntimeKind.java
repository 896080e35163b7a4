package dev.sandboxes.worker;

/**
 * Where the worker runs sandboxes ({@code sandboxes.runtime}). Spring binds the property
 * case-insensitively, so {@code kubernetes} and {@code KUBERNETES} both work; any other value
 * fails startup naming the property.
 */
public enum RuntimeKind {
  /** Pods in a Kubernetes namespace: the production runtime. */
  KUBERNETES,
  /** Process trees on the worker's own host (bubblewrap when available): development only. */
  LOCAL
}
