package dev.sandboxes.runtime.kubernetes;

/**
 * Label keys and values on the Kubernetes objects of sandboxes and volumes (pods, network
 * policies, claims): what selectors, watches and the reaper find them by.
 */
public final class Labels {
  private Labels() {}

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "sandboxes-for-temporal";
  public static final String SANDBOX = "sandboxes.dev/sandbox";
  public static final String VOLUME = "sandboxes.dev/volume";
  /** What a pod is for, when it is not a sandbox: {@link #VOLUME_HELPER_ROLE}. */
  public static final String ROLE = "sandboxes.dev/role";
  /** Role of the short-lived pods that serve a volume's file API (with {@link #VOLUME}). */
  public static final String VOLUME_HELPER_ROLE = "volume-helper";
  /** The warm pool a pod was made for (it keeps the label once claimed, for the pool's counts). */
  public static final String POOL = "sandboxes.dev/pool";
  /** A pool pod's state: {@link #POOL_IDLE} until a sandbox claims it, then {@link #POOL_CLAIMED}. */
  public static final String POOL_STATE = "sandboxes.dev/pool-state";
  public static final String POOL_IDLE = "idle";
  public static final String POOL_CLAIMED = "claimed";
  /**
   * A digest of the pod a pool's definition makes ({@link WarmPools#template}): a pool whose
   * image, size or agent changed claims none of the pods made before, and replaces them.
   */
  public static final String POOL_TEMPLATE = "sandboxes.dev/pool-template";
  /**
   * On a sandbox's pod: the name of the shared NetworkPolicy that confines it
   * ({@link NetworkPolicies#shared}); a pod without it has a policy of its own (or none).
   */
  public static final String NETWORK_POLICY = "sandboxes.dev/network-policy";
  /** {@link #ROLE} of the shared NetworkPolicies (which carry no {@link #MANAGED_BY}: no owner, never reaped). */
  public static final String SHARED_POLICY_ROLE = "shared-network-policy";
  /** Prefix of labels that carry a sandbox's tags: {@code tag.sandboxes.dev/<key>}. */
  public static final String TAG_PREFIX = "tag.sandboxes.dev/";
}
