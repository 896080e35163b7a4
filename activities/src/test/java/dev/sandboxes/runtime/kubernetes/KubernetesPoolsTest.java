package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.PoolStatus;
import dev.sandboxes.runtime.agent.AgentProcess;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm pools on the fabric8 mock API server (CRUD mode, which refuses an update whose
 * resourceVersion is stale), with the simulated kubelet running every pod and the real agent
 * binary standing in for a claimed pod's process on loopback.
 */
class KubernetesPoolsTest {
  private static final int PORT = MockCluster.freePort();
  static final WarmPool SMALL = new WarmPool("small", "busybox:1.36", "100m", "64Mi", 3, 2);
  static final WarmPool BURST = new WarmPool("burst", "python:3.12", "100m", "64Mi", 20, 20);
  static final WarmPool FILL = new WarmPool("fill", "alpine:3", null, null, 3, 2);
  static final WarmPool WAIT = new WarmPool("wait", "node:22", "100m", "64Mi", 2, 2);
  static final WarmPool KEPT = new WarmPool("kept", "golang:1.22", "100m", "64Mi", 2, 2);
  static final WarmPool REDEFINED = new WarmPool("redefined", "ruby:3", "100m", "64Mi", 2, 2);
  static final SandboxOwner POOL_OWNER = new SandboxOwner("sandbox-pool-small", "run-1");

  @RegisterExtension
  static final MockCluster cluster = MockCluster.start(b -> b.agentImage("sandboxes-agent:test")
      .agentPort(PORT).pools(List.of(SMALL, BURST, FILL, WAIT, KEPT, REDEFINED)));

  @TempDir Path dir;

  static List<Pod> podsOf(WarmPool pool) {
    return cluster.client.pods().inNamespace(MockCluster.NAMESPACE).withLabel(Labels.POOL, pool.name()).list().getItems();
  }

  /** Fills {@code pool} and waits until the informer has every idle pod ready. */
  static PoolStatus filledAndReady(WarmPool pool) throws InterruptedException {
    PoolStatus status = cluster.runtime.fillPool(pool.name(), POOL_OWNER);
    while (status.ready() + status.starting() < pool.size()) {
      status = cluster.runtime.fillPool(pool.name(), POOL_OWNER);
    }
    Instant deadline = Instant.now().plusSeconds(10);
    while (cluster.runtime.poolStatus(pool.name()).ready() < pool.size()) {
      assertThat(Instant.now()).as("%s ready within 10 s", pool.name()).isBefore(deadline);
      Thread.sleep(20); // the simulated kubelet moves pods on a timer: nothing to watch on here
    }
    return status;
  }

  @Test
  void aPoolFillsToItsSizeAtItsRefillRateAndNoFurther() throws Exception {
    PoolStatus first = cluster.runtime.fillPool(FILL.name(), POOL_OWNER);
    assertThat(first.size()).isEqualTo(3);
    assertThat(first.ready() + first.starting()).isEqualTo(2);
    assertThat(podsOf(FILL)).as("at most the refill rate in one call").hasSize(2);
    cluster.runtime.fillPool(FILL.name(), POOL_OWNER);
    cluster.runtime.fillPool(FILL.name(), POOL_OWNER);
    List<Pod> pods = podsOf(FILL);
    assertThat(pods).as("never beyond the size").hasSize(3);
    for (Pod pod : pods) {
      assertThat(pod.getMetadata().getName()).startsWith("fill.");
      assertThat(WarmPools.idle(pod)).isTrue();
      assertThat(cluster.client.secrets().inNamespace(MockCluster.NAMESPACE)
          .withName(AgentPods.secretName(pod.getMetadata().getName())).get()).as("its token").isNotNull();
    }
    assertThat(cluster.client.network().v1().networkPolicies().inNamespace(MockCluster.NAMESPACE)
        .withName(KubernetesPools.policyName(FILL)).get().getSpec().getPodSelector().getMatchLabels())
        .containsEntry(Labels.POOL_STATE, Labels.POOL_IDLE);
  }

  @Test
  void aSandboxThatFitsTakesAReadyPodWhoseAgentRunsItsCommandAndTheDeleteRemovesIt() throws Exception {
    filledAndReady(SMALL);
    String name = MockCluster.unique("pooled");
    SandboxOwner owner = new SandboxOwner("sandbox-" + name, "run-1");
    SandboxSpec spec = SandboxSpec.builder("busybox:1.36").name(name).cpu("100m").memory("64Mi")
        .env(Map.of("GREETING", "from the pool")).tags(Map.of("team", "a")).build();

    // the claim's agent call reaches whichever pod is claimed: all of them are 127.0.0.1 here
    Pod any = podsOf(SMALL).get(0);
    String token = AgentPods.token(cluster.client.secrets().inNamespace(MockCluster.NAMESPACE)
        .withName(AgentPods.secretName(any.getMetadata().getName())).get());
    // every pool pod's token differs: make the claimed one the pod whose token the agent holds
    for (Pod other : podsOf(SMALL)) {
      if (!other.getMetadata().getName().equals(any.getMetadata().getName()) && WarmPools.idle(other)) {
        cluster.client.pods().inNamespace(MockCluster.NAMESPACE).withName(other.getMetadata().getName()).edit(p -> {
          p.getMetadata().getLabels().put(Labels.POOL_STATE, "held-by-test");
          return p;
        });
      }
    }
    try (AgentProcess agent = AgentProcess.startPooledOn(dir, "127.0.0.1:" + PORT, token)) {
      Instant sent = Instant.now();
      var state = cluster.runtime.create(spec, owner);

      assertThat(state.phase()).isEqualTo(SandboxPhase.RUNNING);
      Pod claimed = cluster.client.pods().inNamespace(MockCluster.NAMESPACE).withName(any.getMetadata().getName()).get();
      assertThat(claimed.getMetadata().getLabels()).containsEntry(Labels.SANDBOX, name)
          .containsEntry(Labels.TAG_PREFIX + "team", "a").containsEntry(Labels.POOL_STATE, Labels.POOL_CLAIMED);
      // out of the pool's policy (it selects idle pods) and into the shared one, in the same update
      String shared = NetworkPolicies.sharedFor(spec, cluster.options()).orElseThrow().getMetadata().getName();
      assertThat(claimed.getMetadata().getLabels()).containsEntry(Labels.NETWORK_POLICY, shared);
      assertThat(cluster.client.network().v1().networkPolicies().inNamespace(MockCluster.NAMESPACE).withName(shared).get())
          .isNotNull();
      assertThat(Owners.of(claimed)).isEqualTo(owner);
      assertThat(Duration.between(sent, Instant.now())).as("no pod start on the way").isLessThan(Duration.ofSeconds(2));
      assertThat(cluster.runtime.inspect(name).phase()).isEqualTo(SandboxPhase.RUNNING);
      assertThat(cluster.runtime.exec(name, ExecRequest.of("sh", "-c", "echo $GREETING")).stdout())
          .isEqualTo("from the pool\n");
      // a retried create adopts the same pod and claims it again, a no-op
      assertThat(cluster.runtime.create(spec, owner).phase()).isEqualTo(SandboxPhase.RUNNING);
      assertThat(cluster.client.pods().inNamespace(MockCluster.NAMESPACE).withLabel(Labels.SANDBOX, name).list().getItems())
          .hasSize(1);

      cluster.runtime.delete(name);
      assertThat(cluster.client.pods().inNamespace(MockCluster.NAMESPACE).withName(any.getMetadata().getName()).get()).isNull();
      assertThat(cluster.client.secrets().inNamespace(MockCluster.NAMESPACE)
          .withName(AgentPods.secretName(any.getMetadata().getName())).get()).as("its token went with it").isNull();
      assertThat(cluster.runtime.poolStatus(SMALL.name()).claimed()).isZero();
    }
  }

  @Test
  void podsMadeUnderAnEarlierDefinitionOfThePoolAreNeverClaimedAndAreReplacedAtTheNextFill() throws Exception {
    filledAndReady(REDEFINED);
    List<String> earlier = new ArrayList<>();
    // as a worker whose pool had another image or size made them
    for (Pod pod : podsOf(REDEFINED)) {
      earlier.add(pod.getMetadata().getName());
      cluster.client.pods().inNamespace(MockCluster.NAMESPACE).withName(pod.getMetadata().getName()).edit(p -> {
        p.getMetadata().getLabels().put(Labels.POOL_TEMPLATE, "0123456789abcdef");
        return p;
      });
    }
    Instant deadline = Instant.now().plusSeconds(10);
    while (cluster.runtime.poolStatus(REDEFINED.name()).ready() > 0) {
      assertThat(Instant.now()).as("the informer sees the relabelled pods within 10 s").isBefore(deadline);
      Thread.sleep(20);
    }
    SandboxSpec fits = SandboxSpec.builder("ruby:3").name("redefined-1").cpu("100m").memory("64Mi").build();

    assertThat(cluster.runtime.poolsPart().claim(REDEFINED, fits, new SandboxOwner("sandbox-redefined-1", "run-1")))
        .as("no pod of the earlier definition is given out").isNull();
    PoolStatus refilled = cluster.runtime.fillPool(REDEFINED.name(), POOL_OWNER);
    assertThat(refilled.ready() + refilled.starting()).as("replacements made in the same round").isEqualTo(2);
    List<Pod> now = podsOf(REDEFINED);
    assertThat(now).extracting(p -> p.getMetadata().getName()).doesNotContainAnyElementsOf(earlier).hasSize(2);
    assertThat(now).allSatisfy(p -> assertThat(WarmPools.current(p, WarmPools.template(REDEFINED, cluster.options())))
        .isTrue());
    for (String gone : earlier) {
      assertThat(cluster.client.secrets().inNamespace(MockCluster.NAMESPACE).withName(AgentPods.secretName(gone)).get())
          .as("the replaced pod's token").isNull();
    }
  }

  @Test
  void fiftyConcurrentClaimsOnAPoolOfTwentyGiveTwentyPodsEachToOneSandbox() throws Exception {
    filledAndReady(BURST);
    KubernetesPools pools = cluster.runtime.poolsPart();
    ExecutorService threads = Executors.newFixedThreadPool(50);
    List<Future<Pod>> claims = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String name = "burst-" + i;
      SandboxSpec spec = SandboxSpec.builder("python:3.12").name(name).cpu("100m").memory("64Mi").build();
      Callable<Pod> claim = () -> pools.claim(BURST, spec, new SandboxOwner("sandbox-" + name, "run-1"));
      claims.add(threads.submit(claim));
    }
    List<String> claimedPods = new ArrayList<>();
    int none = 0;
    for (Future<Pod> claim : claims) {
      Pod pod = claim.get();
      if (pod == null) {
        none++;
      } else {
        claimedPods.add(pod.getMetadata().getName());
      }
    }
    threads.shutdown();

    assertThat(claimedPods).as("every pod claimed once").hasSize(20).doesNotHaveDuplicates();
    assertThat(none).as("the creates left to start their own pods").isEqualTo(30);
    for (Pod pod : podsOf(BURST)) {
      String sandbox = pod.getMetadata().getLabels().get(Labels.SANDBOX);
      assertThat(sandbox).as("pod %s", pod.getMetadata().getName()).isNotNull();
      assertThat(Owners.of(pod).workflowId()).isEqualTo("sandbox-" + sandbox);
    }
    assertThat(cluster.runtime.poolStatus(BURST.name())).satisfies(s -> {
      assertThat(s.claimed()).isEqualTo(20);
      assertThat(s.ready()).isZero();
    });
  }

  @Test
  void aWaitForThePoolEndsWhenItsStartingPodsAreReadyAndThenWhenASandboxClaimsOne() throws Exception {
    PoolStatus filled = cluster.runtime.fillPool(WAIT.name(), POOL_OWNER);
    assertThat(filled.ready() + filled.starting()).isEqualTo(2);
    // the wait reads the informer, which may lag the fill's creates (the mock server is slow to
    // send events after another test deleted pods): until it has them the pool looks short
    Instant seen = Instant.now().plusSeconds(10);
    while (cluster.runtime.poolStatus(WAIT.name()).ready() + cluster.runtime.poolStatus(WAIT.name()).starting() < 2) {
      assertThat(Instant.now()).as("the informer has the pool's pods within 10 s").isBefore(seen);
      Thread.sleep(20);
    }
    PoolStatus settled = cluster.runtime.awaitPoolChange(WAIT.name(), Duration.ofSeconds(10));
    assertThat(settled.ready()).as("its pods ready").isEqualTo(2);

    java.util.concurrent.CompletableFuture<PoolStatus> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return cluster.runtime.awaitPoolChange(WAIT.name(), Duration.ofSeconds(20));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(300);
    assertThat(waiting).as("nothing happened to the pool yet").isNotDone();
    Instant claimedAt = Instant.now();
    SandboxSpec spec = SandboxSpec.builder("node:22").name(MockCluster.unique("waiter")).cpu("100m").memory("64Mi").build();
    assertThat(cluster.runtime.poolsPart().claim(WAIT, spec, new SandboxOwner("sandbox-x", "run-1"))).isNotNull();

    PoolStatus after = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(Duration.between(claimedAt, Instant.now())).as("woken by the claim, not the deadline")
        .isLessThan(Duration.ofSeconds(5));
    assertThat(after.ready()).isEqualTo(1);
    assertThat(after.claimed()).isEqualTo(1);
  }

  @Test
  void theKeepersWaitActivityAnswersOnceThePodsItStartedAreReadyThenOnceASandboxClaimsOne() throws Exception {
    io.temporal.testing.TestActivityEnvironment env = io.temporal.testing.TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(new dev.sandboxes.activity.PoolActivitiesImpl(cluster.runtime));
      dev.sandboxes.activity.PoolActivities keeper = env.newActivityStub(dev.sandboxes.activity.PoolActivities.class,
          io.temporal.activity.ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(11))
              .setHeartbeatTimeout(Duration.ofSeconds(30)).build());
      PoolStatus filled = keeper.fill(KEPT.name(), POOL_OWNER);
      assertThat(filled.starting() + filled.ready()).isEqualTo(2);

      Instant waited = Instant.now();
      PoolStatus settled = keeper.awaitChange(KEPT.name());
      assertThat(settled.ready()).as("its pods ready: %s", settled).isEqualTo(2);
      assertThat(Duration.between(waited, Instant.now())).as("answered when they were, not after the slice")
          .isLessThan(Duration.ofSeconds(15));

      java.util.concurrent.CompletableFuture<PoolStatus> waiting =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> keeper.awaitChange(KEPT.name()));
      Thread.sleep(500);
      assertThat(waiting).as("a full pool's keeper waits").isNotDone();
      SandboxSpec spec = SandboxSpec.builder("golang:1.22").name(MockCluster.unique("kept")).cpu("100m").memory("64Mi").build();
      assertThat(cluster.runtime.poolsPart().claim(KEPT, spec, new SandboxOwner("sandbox-y", "run-1"))).isNotNull();
      assertThat(waiting.get(15, java.util.concurrent.TimeUnit.SECONDS).claimed()).isEqualTo(1);
    } finally {
      env.close();
    }
  }
}
