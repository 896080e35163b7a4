package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.client.ReaperClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.reaper.ReapReport;
import dev.sandboxes.reaper.ReapedObject;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The orphan reaper on the Temporal test server over a scripted runtime: objects whose owner
 * workflow was terminated behind the project's back go; objects of open workflows stay.
 */
class ReaperWorkflowTest {
  static final String QUEUE = TaskQueues.DEFAULT;

  ScriptedRuntime runtime;
  TestWorkflowEnvironment env;
  SandboxClient sandboxes;
  VolumeClient volumes;
  ReaperClient reaper;

  @BeforeEach
  void start() {
    runtime = new ScriptedRuntime();
    env = ScriptedEnvironment.start(runtime);
    sandboxes = new SandboxClient(env.getWorkflowClient(), QUEUE);
    volumes = new VolumeClient(env.getWorkflowClient());
    reaper = new ReaperClient(env.getWorkflowClient());
  }

  @AfterEach
  void stop() {
    env.close();
  }

  String idle(String name, String volume) {
    SandboxSpec.Builder spec = SandboxSpec.builder("busybox:1.36").name(name);
    if (volume != null) {
      spec.volume("/data", volume);
    }
    sandboxes.start(spec.build());
    assertThat(sandboxes.awaitRunning(name, Duration.ofSeconds(20)).phase()).isEqualTo(SandboxPhase.RUNNING);
    return name;
  }

  void terminateBehindItsBack(String workflowId) {
    env.getWorkflowClient().newUntypedWorkflowStub(workflowId).terminate("an operator's temporal CLI");
  }

  @Test
  void removesTheObjectsOfTerminatedWorkflowsAndKeepsThoseOfOpenOnes() {
    String orphan = idle("orphan-1", null);
    String alive = idle("alive-1", null);
    terminateBehindItsBack(WorkflowIds.sandboxWorkflowId(orphan));
    assertThat(runtime.exists(orphan)).as("terminate runs no workflow code").isTrue();

    ReapReport report = reaper.reapNow(QUEUE, false, Duration.ZERO);

    assertThat(report.removed()).extracting(ReapedObject::name).containsExactly(orphan);
    assertThat(report.removed().get(0).ownerWorkflowId()).isEqualTo("sandbox/orphan-1");
    assertThat(report.removed().get(0).why()).contains("is closed (terminated");
    assertThat(report.errors()).isEmpty();
    assertThat(runtime.exists(orphan)).isFalse();
    assertThat(runtime.exists(alive)).isTrue();
    assertThat(sandboxes.describe(alive).phase()).isEqualTo(SandboxPhase.RUNNING);
  }

  @Test
  void aDryRunReportsTheOrphansAndRemovesNothing() {
    String orphan = idle("orphan-2", null);
    terminateBehindItsBack(WorkflowIds.sandboxWorkflowId(orphan));

    ReapReport report = reaper.reapNow(QUEUE, true, Duration.ZERO);

    assertThat(report.dryRun()).isTrue();
    assertThat(report.removed()).extracting(ReapedObject::name).containsExactly(orphan);
    assertThat(runtime.exists(orphan)).isTrue();
  }

  @Test
  void theGraceKeepsTheObjectsOfARecentlyClosedOwner() {
    String orphan = idle("orphan-3", null);
    terminateBehindItsBack(WorkflowIds.sandboxWorkflowId(orphan));

    ReapReport report = reaper.reapNow(QUEUE, false, Duration.ofHours(1));

    assertThat(report.removed()).isEmpty();
    assertThat(report.kept()).isEqualTo(1);
    assertThat(runtime.exists(orphan)).isTrue();
  }

  @Test
  void anOrphanedVolumeGoesWithItsOrphanedSandboxesButStaysWhileAnOpenSandboxMountsIt() {
    volumes.create("gone", new VolumeSpec("1Gi", null, null));
    volumes.awaitReady("gone", Duration.ofSeconds(20));
    volumes.create("used", new VolumeSpec("1Gi", null, null));
    volumes.awaitReady("used", Duration.ofSeconds(20));
    String leaving = idle("mounts-gone", "gone");
    String staying = idle("mounts-used", "used");
    terminateBehindItsBack(WorkflowIds.sandboxWorkflowId(leaving));
    terminateBehindItsBack(WorkflowIds.volumeWorkflowId("gone"));
    terminateBehindItsBack(WorkflowIds.volumeWorkflowId("used"));

    ReapReport report = reaper.reapNow(QUEUE, false, Duration.ZERO);

    assertThat(report.removed()).extracting(ReapedObject::kind, ReapedObject::name)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("local-sandbox", leaving),
            org.assertj.core.groups.Tuple.tuple("local-volume", "gone"));
    assertThat(runtime.exists(staying)).isTrue();
    assertThat(runtime.attachedTo("used")).containsExactly(staying);
    sandboxes.terminate(staying, null);
    assertThat(reaper.reapNow(QUEUE, false, Duration.ZERO).removed())
        .extracting(ReapedObject::name).containsExactly("used");
  }
}
