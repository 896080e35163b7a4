package dev.sandboxes.cli;

import dev.sandboxes.runtime.kubernetes.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Every sandbox pod whose name starts with a prefix, as the API server reported it to an
 * informer the test keeps running: which pods were created (by name and UID, so a pod created
 * twice under one name shows as two UIDs even if the informer missed the deletion in between),
 * which were deleted, which exist now. Workers can be killed at will; this view does not depend
 * on them.
 */
final class PodHistory implements AutoCloseable {
  private final String prefix;
  private final Map<String, Set<String>> uidsByName = new HashMap<>();
  private final Map<String, String> live = new HashMap<>();
  private final Set<String> deletedUids = new LinkedHashSet<>();
  private final SharedIndexInformer<Pod> informer;

  private PodHistory(KubernetesClient admin, String prefix) {
    this.prefix = prefix;
    this.informer = admin.pods().inNamespace(Rig.NAMESPACE)
        .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            seen(pod);
          }

          @Override
          public void onUpdate(Pod before, Pod pod) {
            seen(pod);
          }

          @Override
          public void onDelete(Pod pod, boolean finalStateUnknown) {
            gone(pod);
          }
        }, 0);
  }

  /** Starts recording pods named {@code prefix...} in the rig's namespace; returns once the informer has synced. */
  static PodHistory record(KubernetesClient admin, String prefix) {
    return new PodHistory(admin, prefix);
  }

  private synchronized void seen(Pod pod) {
    String name = pod.getMetadata().getName();
    if (name.startsWith(prefix)) {
      uidsByName.computeIfAbsent(name, n -> new LinkedHashSet<>()).add(pod.getMetadata().getUid());
      live.put(name, pod.getMetadata().getUid());
      notifyAll();
    }
  }

  private synchronized void gone(Pod pod) {
    String name = pod.getMetadata().getName();
    if (name.startsWith(prefix)) {
      uidsByName.computeIfAbsent(name, n -> new LinkedHashSet<>()).add(pod.getMetadata().getUid());
      deletedUids.add(pod.getMetadata().getUid());
      live.remove(name);
      notifyAll();
    }
  }

  /** Pods created so far (distinct UIDs). */
  synchronized int created() {
    return uidsByName.values().stream().mapToInt(Set::size).sum();
  }

  /** Pods the API server has removed so far. */
  synchronized int deleted() {
    return deletedUids.size();
  }

  synchronized Set<String> names() {
    return Set.copyOf(uidsByName.keySet());
  }

  /** Names under which more than one pod was created, with how many. */
  synchronized Map<String, Integer> createdTwice() {
    Map<String, Integer> twice = new TreeMap<>();
    uidsByName.forEach((name, uids) -> {
      if (uids.size() > 1) {
        twice.put(name, uids.size());
      }
    });
    return twice;
  }

  /** The pods that exist now. */
  synchronized List<String> live() {
    return new ArrayList<>(new TreeMap<>(live).keySet());
  }

  /**
   * Waits, woken by every pod event, until {@code condition} holds for this history; fails
   * naming {@code what} after {@code limit}.
   */
  synchronized void await(String what, Duration limit, Predicate<PodHistory> condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      while (!condition.test(this)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("not within " + limit.toSeconds() + " s: " + what + " (created "
              + created() + ", deleted " + deleted() + ", live " + live().size() + ")");
        }
        wait(Math.max(1, left / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  @Override
  public void close() {
    informer.close();
  }

  /** What is left on the cluster of the objects named after {@code prefix}, counted with the admin view. */
  record Leftovers(List<String> pods, List<String> helperPods, List<String> networkPolicies, List<String> claims) {
    static Leftovers of(KubernetesClient admin, String prefix) {
      var pods = admin.pods().inNamespace(Rig.NAMESPACE).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
          .list().getItems();
      return new Leftovers(
          pods.stream().filter(p -> labelStarts(p.getMetadata().getLabels(), Labels.SANDBOX, prefix))
              .map(p -> p.getMetadata().getName()).toList(),
          pods.stream().filter(p -> labelStarts(p.getMetadata().getLabels(), Labels.VOLUME, prefix))
              .map(p -> p.getMetadata().getName()).toList(),
          admin.network().v1().networkPolicies().inNamespace(Rig.NAMESPACE)
              .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems().stream()
              .filter(p -> labelStarts(p.getMetadata().getLabels(), Labels.SANDBOX, prefix))
              .map(p -> p.getMetadata().getName()).toList(),
          admin.persistentVolumeClaims().inNamespace(Rig.NAMESPACE)
              .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems().stream()
              .filter(c -> labelStarts(c.getMetadata().getLabels(), Labels.VOLUME, prefix))
              .map(c -> c.getMetadata().getName()).toList());
    }

    private static boolean labelStarts(Map<String, String> labels, String key, String prefix) {
      return labels != null && labels.getOrDefault(key, "").startsWith(prefix);
    }

    int total() {
      return pods.size() + helperPods.size() + networkPolicies.size() + claims.size();
    }

    @Override
    public String toString() {
      return pods.size() + " pods, " + helperPods.size() + " helper pods, " + networkPolicies.size()
          + " network policies, " + claims.size() + " claims" + (total() == 0 ? "" : ": " + pods + helperPods
          + networkPolicies + claims);
    }
  }
}
