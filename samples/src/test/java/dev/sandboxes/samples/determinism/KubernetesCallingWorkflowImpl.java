package dev.sandboxes.samples.determinism;

import dev.sandboxes.determinism.fixtures.FixtureWorkflow;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Deliberately broken: workflow code that talks to Kubernetes itself. Only
 * {@code SamplesDeterminismTest} imports it, to prove the fabric8 rule fails.
 */
public class KubernetesCallingWorkflowImpl implements FixtureWorkflow {
  private KubernetesClient kubernetes;

  @Override
  public String run(String input) {
    return kubernetes.pods().withName(input).get().getStatus().getPhase();
  }
}
