package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Creates whose answer a flaky network loses after the API server acted: fabric8 re-sends the
 * request, and the re-send is answered 409 for the object the first one made. That 409 is the
 * create's own work, never a name conflict (the e2e fault test saw a sandbox end
 * {@code SandboxNameConflict} on its own network policy before this was handled).
 */
class KubernetesLostAnswersTest {
  private static final String NAMESPACE = MockCluster.NAMESPACE;

  @RegisterExtension
  static final MockCluster cluster = MockCluster.start(b -> b.defaultEgress(EgressPolicy.denyAll()));
  private static final String POLICIES =
      "/apis/networking.k8s.io/v1/namespaces/" + NAMESPACE + "/networkpolicies";
  private static final String PODS = "/api/v1/namespaces/" + NAMESPACE + "/pods";

  private static NetworkPolicy policy(String name) {
    return cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(name).get();
  }

  /** An egress that needs a policy of the sandbox's own (deny-all sandboxes share one). */
  private static final EgressPolicy ALLOWED = EgressPolicy.allow("10.20.0.0/16");

  private static SandboxSpec ownPolicy(String name) {
    return SandboxSpec.builder("busybox:1.36").name(name).egress(ALLOWED).build();
  }

  private static long writes(String request) {
    return cluster.api.writes().stream().filter(w -> w.replaceFirst("\\?.*", "").equals(request)).count();
  }

  @Test
  void aPolicyCreateWhoseAnswerIsLostKeepsThePolicyItMadeAndCreatesThePod() {
    String name = MockCluster.unique("lost-policy");
    SandboxOwner owner = new SandboxOwner("sandbox/" + name, "run-" + name);
    cluster.api.loseAnswers("POST", POLICIES, 1);

    RuntimeState state = cluster.runtime.create(ownPolicy(name), owner);

    assertThat(state.phase()).isIn(SandboxPhase.QUEUED, SandboxPhase.CREATING, SandboxPhase.RUNNING);
    assertThat(writes("POST " + POLICIES)).as("the lost create and its re-send").isEqualTo(2);
    assertThat(writes("DELETE " + POLICIES + "/" + name)).as("its own policy is not replaced").isZero();
    assertThat(Owners.of(policy(name))).isEqualTo(owner);
    assertThat(cluster.client.pods().inNamespace(NAMESPACE).withName(name).get()).isNotNull();
  }

  @Test
  void aPolicyLeftByAnotherOwnerIsReplacedEvenWhenTheReplacementsAnswerIsLost() {
    String name = MockCluster.unique("stale-policy");
    SandboxOwner before = new SandboxOwner("sandbox/" + name, "run-before");
    cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE)
        .resource(NetworkPolicies.egress(name, ALLOWED, before).orElseThrow()).create();
    SandboxOwner owner = new SandboxOwner("sandbox/" + name, "run-now");
    // the first create: refused (the stale policy) and that answer lost; its re-send: refused
    cluster.api.loseAnswers("POST", POLICIES, 1);

    cluster.runtime.create(ownPolicy(name), owner);

    assertThat(writes("DELETE " + POLICIES + "/" + name)).isEqualTo(1);
    assertThat(Owners.of(policy(name))).isEqualTo(owner);
  }

  @Test
  void aPolicyIsTheSameOnlyWithTheSameOwnerAndTheSameRules() {
    NetworkPolicy wanted = NetworkPolicies.egress("p", EgressPolicy.denyAll(),
        new SandboxOwner("sandbox/p", "run-1")).orElseThrow();
    NetworkPolicy same = NetworkPolicies.egress("p", EgressPolicy.denyAll(),
        new SandboxOwner("sandbox/p", "run-1")).orElseThrow();
    NetworkPolicy otherOwner = NetworkPolicies.egress("p", EgressPolicy.denyAll(),
        new SandboxOwner("sandbox/p", "run-2")).orElseThrow();
    NetworkPolicy otherRule = NetworkPolicies.egress("p", EgressPolicy.allow("10.0.0.0/8"),
        new SandboxOwner("sandbox/p", "run-1")).orElseThrow();

    assertThat(KubernetesGateway.sameIntent(same, wanted)).isTrue();
    assertThat(KubernetesGateway.sameIntent(otherOwner, wanted)).isFalse();
    assertThat(KubernetesGateway.sameIntent(otherRule, wanted)).isFalse();
  }

  @Test
  void aHelperPodCreateWhoseAnswerIsLostStillServesTheFileOperation() {
    String volume = MockCluster.unique("lost-helper");
    cluster.runtime.createVolume(volume, VolumeSpec.defaults(), new SandboxOwner("volume/" + volume, "run-v"));
    cluster.api.scriptExec(SimulatedApiServer.ANY_POD, new SimulatedApiServer.ScriptedExec(
        VolumeFileCommands.list("/"), "", "", 0));
    cluster.api.loseAnswers("POST", PODS, 1);

    assertThat(cluster.runtime.listFiles(volume, "/")).isEmpty();
    assertThat(cluster.client.pods().inNamespace(NAMESPACE).withLabels(VolumeHelpers.selector(volume))
        .list().getItems()).as("the helper is deleted afterwards").isEmpty();
    cluster.runtime.deleteVolume(volume);
  }
}
