package dev.sandboxes.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.sandboxes.determinism.WorkflowDeterminismContract;
import dev.sandboxes.determinism.WorkflowDeterminismRules;
import dev.sandboxes.samples.agent.AgentSample;
import dev.sandboxes.samples.agent.AgentTurn;
import dev.sandboxes.samples.agent.CodeAgentWorkflowImpl;
import dev.sandboxes.samples.agent.ScriptedModel;
import dev.sandboxes.samples.cancel.CancelSample;
import dev.sandboxes.samples.cancel.LongJobsWorkflowImpl;
import dev.sandboxes.samples.determinism.KubernetesCallingWorkflowImpl;
import dev.sandboxes.samples.fanout.PrimeCountWorkflowImpl;
import dev.sandboxes.samples.volumes.VolumePipelineWorkflowImpl;
import org.junit.jupiter.api.Test;

/** The determinism rules over the samples' workflows; their starters and activities are not workflow code. */
class SamplesDeterminismTest extends WorkflowDeterminismContract {
  @Override
  protected Class<?> moduleClass() {
    return Samples.class;
  }

  @Test
  void workflowCodeIsTheWorkflowsAndTheirTypesButNotStartersOrActivities() {
    assertWorkflowCode(FanOutWorkflowImpl.class, CodeAgentWorkflowImpl.class, LongJobsWorkflowImpl.class,
        PrimeCountWorkflowImpl.class, VolumePipelineWorkflowImpl.class, AgentTurn.class);
    assertNotWorkflowCode(Quickstart.class, Samples.class, EmbeddedStack.class, AgentSample.class,
        CancelSample.class, ScriptedModel.class);
    assertThat(classes.contain(KubernetesCallingWorkflowImpl.class)).isFalse();
  }

  @Test
  void aWorkflowThatUsesFabric8IsCaught() {
    JavaClasses fixture = new ClassFileImporter().importClasses(KubernetesCallingWorkflowImpl.class);
    assertThatThrownBy(() -> WorkflowDeterminismRules.noActivityOrPlatformDependencies(
            WorkflowDeterminismRules.workflowCode(fixture)).check(fixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "KubernetesCallingWorkflowImpl.kubernetes> has type <io.fabric8.kubernetes.client.KubernetesClient>");
  }
}
