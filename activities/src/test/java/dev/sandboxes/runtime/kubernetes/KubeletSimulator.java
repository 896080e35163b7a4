package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Plays scheduler and kubelet for the mock API server, which never changes a pod's status by
 * itself: every new pod goes Pending (unscheduled) → Pending (scheduled, container creating)
 * → Running; a pod whose main container runs a command other than the idle one then ends
 * Succeeded or Failed with the exit code scripted for it. Status moves through the status
 * subresource, as a kubelet's would, a few milliseconds apart so that waiting is exercised.
 */
final class KubeletSimulator implements AutoCloseable {
  static final String NODE = "node-1";
  private static final long STEP_MILLIS = 40;

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Integer> exitCodes = new ConcurrentHashMap<>();
  private final List<Map.Entry<java.util.function.Predicate<Pod>, Integer>> exitRules =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ScheduledExecutorService steps = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kubelet-simulator");
    t.setDaemon(true);
    return t;
  });
  private final SharedIndexInformer<Pod> informer;

  KubeletSimulator(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.informer = client.pods().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        schedule(pod);
      }

      @Override
      public void onUpdate(Pod before, Pod after) {}

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {}
    }, 0);
  }

  /** The main process of {@code pod} exits with {@code code} (idle pods never exit). */
  void scriptExit(String pod, int code) {
    exitCodes.put(pod, code);
  }

  /** The main process of every pod {@code which} selects exits with {@code code}, unless named above. */
  void scriptExit(java.util.function.Predicate<Pod> which, int code) {
    exitRules.add(0, java.util.Map.entry(which, code));
  }

  /** Stops scripting by rule ({@link #scriptExit(java.util.function.Predicate, int)}). */
  void clearExitRules() {
    exitRules.clear();
  }

  private int exitCode(Pod pod) {
    Integer named = exitCodes.get(pod.getMetadata().getName());
    if (named != null) {
      return named;
    }
    return exitRules.stream().filter(rule -> rule.getKey().test(pod)).map(Map.Entry::getValue)
        .findFirst().orElse(0);
  }

  private void schedule(Pod pod) {
    String name = pod.getMetadata().getName();
    List<String> command = pod.getSpec().getContainers().get(0).getCommand();
    boolean idles = SandboxSpec.IDLE_COMMAND.equals(command)
        || (command != null && (command.contains("--idle") // the agent idling
            || command.contains("--pooled"))); // a warm pool's pod, here never claimed to run anything
    step(1, name, status -> new PodStatusBuilder().withPhase("Pending")
        .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
            .build())
        .build());
    step(2, name, status -> new PodStatusBuilder().withPhase("Pending")
        .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("True").build())
        .withContainerStatuses(new ContainerStatusBuilder().withName(PodSpecs.MAIN_CONTAINER)
            .withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState()
            .build())
        .build());
    String startedAt = Instant.now().plusMillis(3 * STEP_MILLIS).toString();
    step(3, name, status -> new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1")
        .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("True").build())
        .withStartTime(startedAt)
        .withContainerStatuses(new ContainerStatusBuilder().withName(PodSpecs.MAIN_CONTAINER)
            .withNewState().withNewRunning().withStartedAt(startedAt).endRunning().endState()
            .build())
        .build());
    if (!idles) {
      step(4, name, status -> {
        int code = exitCode(pod);
        return new PodStatusBuilder().withPhase(code == 0 ? "Succeeded" : "Failed")
            .withStartTime(startedAt)
            .withContainerStatuses(new ContainerStatusBuilder().withName(PodSpecs.MAIN_CONTAINER)
                .withNewState().withNewTerminated().withExitCode(code)
                .withReason(code == 0 ? "Completed" : "Error").withStartedAt(startedAt)
                .withFinishedAt(Instant.now().toString()).endTerminated().endState()
                .build())
            .build();
      });
    }
  }

  private void step(int n, String name, UnaryOperator<PodStatus> next) {
    steps.schedule(() -> {
      try {
        client.pods().inNamespace(namespace).withName(name).editStatus(pod -> {
          pod.getSpec().setNodeName(NODE);
          pod.setStatus(next.apply(pod.getStatus()));
          return pod;
        });
      } catch (RuntimeException e) {
        // Deleted meanwhile: a real kubelet would stop reporting too.
      }
    }, n * STEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    informer.close();
    steps.shutdownNow();
  }
}
