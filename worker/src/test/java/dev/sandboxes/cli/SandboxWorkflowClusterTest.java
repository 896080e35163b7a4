package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntime;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions;
import dev.sandboxes.workflow.SandboxResult;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sandbox workflows on the real rig: its Temporal server, the in-cluster workers (the chart's
 * Deployment, with its least-privilege ServiceAccount), and the cluster itself, observed through
 * an admin view.
 * e2e profile only; fails, never skips, without the rig.
 */
class SandboxWorkflowClusterTest {
  static WorkflowServiceStubs stubs;
  static SandboxClient sandboxes;
  static KubernetesRuntime cluster;

  @BeforeAll
  static void connect() {
    String kubeconfig = Rig.kubeconfig();
    stubs = Rig.temporal();
    sandboxes = new SandboxClient(WorkflowClient.newInstance(stubs));
    System.setProperty("kubeconfig", kubeconfig);
    cluster = KubernetesRuntime.connect(KubernetesRuntimeOptions.defaults());
  }

  @AfterAll
  static void close() {
    if (cluster != null) {
      cluster.close();
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void anUnpullableImageFailsWithinSeconds() {
    String name = sandboxes.start(SandboxSpec.builder("registry.invalid/no-such-image:1")
        .name(unique("nopull")).build());
    Instant start = Instant.now();
    SandboxResult result = sandboxes.awaitDone(name, Duration.ofMinutes(2)).orElseThrow();
    assertThat(result.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(result.status().reason()).isIn("ErrImagePull", "ImagePullBackOff", "InvalidImageName");
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(60));
    assertThatThrownBy(() -> cluster.inspect(name)).isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void cancellingTheWorkflowDeletesThePod() throws Exception {
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name(unique("cancel")).build());
    assertThat(sandboxes.awaitRunning(name, Duration.ofMinutes(2)).phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(cluster.inspect(name).phase()).isEqualTo(SandboxPhase.RUNNING);
    sandboxes.workflowClient().newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).cancel();
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(result.status().reason()).isEqualTo("Cancelled");
    Instant deadline = Instant.now().plusSeconds(60);
    while (true) {
      try {
        SandboxPhase phase = cluster.awaitChange(name, cluster.inspect(name).phase(), Duration.ofSeconds(5)).phase();
        assertThat(phase).isIn(SandboxPhase.RUNNING, SandboxPhase.TERMINATED);
      } catch (SandboxNotFoundException gone) {
        break;
      }
      assertThat(Instant.now()).as("pod %s deleted", name).isBefore(deadline);
    }
  }
}
