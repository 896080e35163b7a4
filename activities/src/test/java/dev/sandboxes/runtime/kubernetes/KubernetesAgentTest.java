package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.runtime.OwnedObject;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.agent.AgentProcess;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sandboxes with the in-sandbox agent on the fabric8 mock API server, with the real agent
 * binary standing in for the pod's process on loopback (the simulated kubelet gives every pod
 * the IP 127.0.0.1): the token Secret's life, and exec through the agent with that token.
 */
class KubernetesAgentTest {
  private static final int PORT = MockCluster.freePort();

  @RegisterExtension
  static final MockCluster cluster = MockCluster.start(b -> b.agentImage("sandboxes-agent:test")
      .agentPort(PORT));

  @TempDir Path dir;

  private String runningIdle(String prefix, SandboxOwner[] ownerOut) throws InterruptedException {
    String name = MockCluster.unique(prefix);
    SandboxOwner owner = new SandboxOwner("sandbox/" + name, "run-1");
    if (ownerOut != null) {
      ownerOut[0] = owner;
    }
    cluster.runtime.create(SandboxSpec.builder("busybox:1.36").name(name).build(), owner);
    assertThat(cluster.runtime.awaitChange(name, SandboxPhase.QUEUED, Duration.ofSeconds(5)).phase())
        .isNotEqualTo(SandboxPhase.QUEUED);
    while (cluster.runtime.inspect(name).phase() != SandboxPhase.RUNNING) {
      cluster.runtime.awaitChange(name, cluster.runtime.inspect(name).phase(), Duration.ofSeconds(5));
    }
    return name;
  }

  private String tokenOf(String name) {
    Secret secret = cluster.client.secrets().inNamespace(MockCluster.NAMESPACE)
        .withName(AgentPods.secretName(name)).get();
    assertThat(secret).as("the agent secret of %s", name).isNotNull();
    return AgentPods.token(secret);
  }

  @Test
  void execGoesThroughTheAgentWithTheSandboxesToken() throws Exception {
    String name = runningIdle("agent-exec", null);
    try (AgentProcess agent = AgentProcess.startOn(dir, "127.0.0.1:" + PORT, tokenOf(name))) {
      ExecResult result = cluster.runtime.exec(name, ExecRequest.of("sh", "-c", "echo via agent; exit 2")
          .withStdin("ignored"));
      assertThat(result.stdout()).isEqualTo("via agent\n");
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(cluster.api.execPaths()).noneMatch(p -> p.contains("/" + name + "/"));
    }
  }

  @Test
  void theTokenIsTheSandboxesOwnAndLongEnough() throws Exception {
    String a = runningIdle("agent-t1", null);
    String b = runningIdle("agent-t2", null);
    assertThat(tokenOf(a)).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(tokenOf(b));
  }

  @Test
  void anAgentWithAnotherTokenRefusesTheWorker() throws Exception {
    String name = runningIdle("agent-wrong", null);
    try (AgentProcess agent = AgentProcess.startOn(dir, "127.0.0.1:" + PORT, "someone-elses-token-0123456789")) {
      assertThatThrownBy(() -> cluster.runtime.exec(name, ExecRequest.of("true")))
          .isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.type()).isEqualTo(SandboxErrors.AGENT_REFUSED);
            assertThat(e.retryable()).isFalse();
          });
    }
  }

  @Test
  void anAgentThatDoesNotAnswerIsUnavailable() throws Exception {
    String name = runningIdle("agent-none", null);
    assertThatThrownBy(() -> cluster.runtime.exec(name, ExecRequest.of("true")))
        .isInstanceOfSatisfying(PlatformException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.AGENT_UNAVAILABLE);
          assertThat(e.retryable()).isTrue();
          assertThat(e.getMessage()).contains("127.0.0.1:" + PORT);
        });
  }

  @Test
  void theSecretBelongsToTheSandboxAndGoesWithIt() throws Exception {
    SandboxOwner[] owner = new SandboxOwner[1];
    String name = runningIdle("agent-gone", owner);
    assertThat(cluster.runtime.ownedObjects()).filteredOn(o -> o.kind().equals(OwnedObject.AGENT_SECRET))
        .filteredOn(o -> o.name().equals(AgentPods.secretName(name)))
        .singleElement().satisfies(o -> assertThat(o.owner()).isEqualTo(owner[0]));
    // a retried create keeps the secret (and its token) the first attempt made
    String token = tokenOf(name);
    cluster.runtime.create(SandboxSpec.builder("busybox:1.36").name(name).build(), owner[0]);
    assertThat(tokenOf(name)).isEqualTo(token);

    cluster.runtime.delete(name);
    assertThat(cluster.client.secrets().inNamespace(MockCluster.NAMESPACE)
        .withName(AgentPods.secretName(name)).get()).isNull();
  }
}
