package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.Sandbox;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.Sandboxes;
import dev.sandboxes.workflow.SandboxOptions;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.SandboxPresentation;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.SandboxWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DeleteWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every command against a sandbox whose workflow something outside the project closed: terminated
 * with Temporal's own tool, timed out by an execution timeout its starter set, deleted. Each answers
 * with the sandbox's one phase (never the one its stale search attribute or a replayed query
 * says), a typed exit code and one line, never a stack trace. On the dev stack (the temporal CLI's
 * server when it is on the PATH, as in {@code bin/test}).
 */
class ClosedOutsideTest {
  static EmbeddedStack stack;
  static WorkflowClient temporal;

  record Run(int code, String out, String err) {
    JsonNode json() {
      try {
        return Output.JSON.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  @BeforeAll
  static void start() throws Exception {
    stack = EmbeddedStack.start(DemoCommand.freePort(), "local");
    temporal = stack.client().workflowClient();
    System.out.println("closed-outside tests on " + (stack.uiUrl() != null ? "the temporal CLI's dev server"
        : "the in-process Java test server"));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.shutdown();
    }
  }

  static Run sandbox(String... args) {
    List<String> argv = new ArrayList<>(List.of(args[0], "--address", stack.address()));
    argv.addAll(Arrays.asList(args).subList(1, args.length));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SandboxCommand.execute(argv.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    Run run = new Run(code, out.toString(), err.toString());
    assertThat(run.err().lines().count()).as("one line at most, no stack trace: %s", run.err()).isLessThanOrEqualTo(1);
    assertThat(run.err()).doesNotContain("\tat ", "Exception", "replay");
    return run;
  }

  static String running(String prefix) {
    String name = prefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
    Run created = sandbox("create", "busybox:1.36", "--name", name, "--wait", "--", "sh", "-c",
        "echo started; sleep 3600");
    assertThat(created.code()).as(created.err()).isZero();
    return name;
  }

  static void awaitStatus(String name, WorkflowExecutionStatus status) {
    Awaitility.await(name + " " + status).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
        .until(() -> temporal.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).describe().getStatus()
            == status);
  }

  /** Every command on a sandbox whose workflow was closed outside the project while it ran. */
  static void everyCommandSaysItEnded(String name, String reason, String messagePart) {
    Run get = sandbox("get", name, "--json");
    assertThat(get.code()).as(get.err()).isZero();
    assertThat(get.json().get("phase").asText()).isEqualTo("terminated");
    assertThat(get.json().get("reason").asText()).isEqualTo(reason);
    assertThat(get.json().get("message").asText()).contains(messagePart).contains("reaper");
    assertThat(get.json().get("finishedAt").asText()).isNotBlank();
    assertThat(get.json().get("startedAt").asText()).as("what it recorded while it ran stays").isNotBlank();
    Run plain = sandbox("get", name);
    assertThat(plain.code()).isZero();
    assertThat(plain.out()).contains("terminated").doesNotContain("running");

    assertThat(sandbox("list").out()).as("terminated sandboxes are left out by default").doesNotContain(name);
    assertThat(sandbox("list", "--phase", "running").out()).doesNotContain(name);
    JsonNode all = sandbox("list", "--all", "--json").json();
    JsonNode row = null;
    for (JsonNode r : all) {
      if (name.equals(r.get("name").asText())) {
        row = r;
      }
    }
    assertThat(row).as("%s in list --all: %s", name, all).isNotNull();
    assertThat(row.get("phase").asText()).isEqualTo("terminated");
    assertThat(sandbox("list", "--phase", "terminated").out()).contains(name);

    Run waitDone = sandbox("wait", name, "--timeout", "30s");
    assertThat(waitDone.code()).as(waitDone.err()).isZero();
    assertThat(waitDone.out().trim()).isEqualTo("terminated");
    Run waitRunning = sandbox("wait", name, "--for", "running", "--timeout", "30s");
    assertThat(waitRunning.code()).as(waitRunning.err()).isEqualTo(ExitCodes.WRONG_PHASE);

    Run logs = sandbox("logs", name);
    assertThat(logs.code()).as(logs.err()).isEqualTo(ExitCodes.WRONG_PHASE);
    assertThat(logs.err()).contains("ended terminated (" + reason + ")").contains("no logs were captured");
    Run follow = sandbox("logs", name, "--follow");
    assertThat(follow.code()).as(follow.err()).isEqualTo(ExitCodes.WRONG_PHASE);

    Run exec = sandbox("exec", name, "--", "true");
    assertThat(exec.code()).as(exec.err()).isEqualTo(ExitCodes.WRONG_PHASE);
    assertThat(exec.err()).contains("is terminated; exec needs a running sandbox");
    Run attach = sandbox("attach", name, "some-exec");
    assertThat(attach.code()).as(attach.err()).isNotZero();

    Run terminate = sandbox("terminate", name);
    assertThat(terminate.code()).as(terminate.err()).isZero();
    assertThat(terminate.out()).contains("skipped").contains(name + " (terminated)");
  }

  @Test
  void aSandboxWhoseWorkflowWasTerminatedWithTemporalsToolIsTerminatedForEveryCommand() {
    String name = running("cut");
    temporal.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).terminate("maintenance window");
    awaitStatus(name, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED);
    assertThat(owned(name)).as("a terminate outside the project runs no cleanup").isTrue();
    everyCommandSaysItEnded(name, "WorkflowTerminated", "maintenance window");
    if (stack.uiUrl() != null) {
      // the reaper's schedule (a server with schedules) removes it once its grace has passed
      Awaitility.await("the reaper removes what " + name + " left").atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1)).until(() -> !owned(name));
    }
  }

  /** True while the local runtime holds something of sandbox {@code name}. */
  static boolean owned(String name) {
    return stack.runtime().ownedObjects().stream()
        .anyMatch(o -> o.owner().workflowId().equals(WorkflowIds.sandboxWorkflowId(name)));
  }

  @Test
  void aSandboxWhoseWorkflowTimedOutIsTerminatedForEveryCommand() {
    String name = "late-" + ProcessHandle.current().pid();
    SandboxSpec spec = SandboxSpec.builder("busybox:1.36").name(name).command("sh", "-c", "sleep 3600").build();
    // a starter of its own, with an execution timeout (the project's clients set none)
    SandboxWorkflow stub = temporal.newWorkflowStub(SandboxWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.sandboxWorkflowId(name))
        .setTaskQueue(TaskQueues.DEFAULT)
        .setTypedSearchAttributes(SandboxPresentation.initialSearchAttributes(spec))
        .setWorkflowExecutionTimeout(Duration.ofSeconds(6))
        .build());
    WorkflowClient.start(stub::run, SandboxRequest.of(spec));
    Run running = sandbox("wait", name, "--for", "running", "--timeout", "30s");
    assertThat(running.code()).as(running.err()).isZero();
    awaitStatus(name, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT);
    everyCommandSaysItEnded(name, "WorkflowTimedOut", "execution timeout");
  }

  @WorkflowInterface
  public interface Owner {
    /** Starts sandbox {@code name}, waits for it to run, then for it to end; returns what it saw. */
    @WorkflowMethod
    List<String> run(String name);
  }

  /** A user's workflow that owns a sandbox through the author API. */
  public static class OwnerImpl implements Owner {
    @Override
    public List<String> run(String name) {
      Sandbox box = Sandboxes.start(SandboxSpec.builder("busybox:1.36").name(name)
          .command("sh", "-c", "sleep 3600").build(), SandboxOptions.onTaskQueue(TaskQueues.DEFAULT));
      box.awaitRunning();
      SandboxResult ended = box.awaitCompletion();
      List<String> seen = new ArrayList<>(List.of(ended.phase().wireName(), ended.status().reason(),
          ended.status().message(), String.valueOf(ended.logs().lines().size())));
      try {
        box.exec(ExecRequest.of("true"));
        seen.add("exec ran");
      } catch (ApplicationFailure refused) {
        seen.add(refused.getType() + ": " + refused.getOriginalMessage());
      }
      seen.add(box.terminate().phase().wireName());
      return seen;
    }
  }

  @Test
  void theAuthorApiReportsAChildSandboxTerminatedWithTemporalsToolAsTerminated() {
    String name = "child-" + ProcessHandle.current().pid();
    // the owner's worker: a client without the plugin, on a task queue of its own
    WorkflowClient plain = WorkflowClient.newInstance(temporal.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder().setNamespace(temporal.getOptions().getNamespace()).build());
    WorkerFactory owners = WorkerFactory.newInstance(plain);
    owners.newWorker("owners").registerWorkflowImplementationTypes(OwnerImpl.class);
    owners.start();
    try {
      Owner owner = plain.newWorkflowStub(Owner.class, WorkflowOptions.newBuilder()
          .setWorkflowId("owner-of-" + name).setTaskQueue("owners")
          .setWorkflowExecutionTimeout(Duration.ofMinutes(3)).build());
      WorkflowClient.start(owner::run, name);
      Awaitility.await(name + " runs").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .ignoreExceptions().until(() -> stack.client().describe(name).phase() == SandboxPhase.RUNNING);
      temporal.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).terminate("by an operator");

      List<?> seen = WorkflowStub.fromTyped(owner).getResult(List.class);
      assertThat(seen.get(0)).isEqualTo("terminated");
      assertThat(seen.get(1)).isEqualTo("WorkflowTerminated");
      // the child's close event tells its parent that it was terminated, not why
      assertThat((String) seen.get(2)).startsWith("its workflow was terminated outside the sandbox API").contains("reaper");
      assertThat(seen.get(3)).as("no logs were captured").isEqualTo("0");
      assertThat(seen.get(4)).isEqualTo("SandboxNotRunning: sandbox \"" + name + "\" is terminated; "
          + "exec needs a running sandbox");
      assertThat(seen.get(5)).isEqualTo("terminated");
    } finally {
      owners.shutdownNow();
    }
  }

  @Test
  void aSandboxWhoseWorkflowWasDeletedIsNotFoundForEveryCommand() {
    String name = running("gone");
    assertThat(sandbox("terminate", name).code()).isZero();
    temporal.getWorkflowServiceStubs().blockingStub().deleteWorkflowExecution(DeleteWorkflowExecutionRequest.newBuilder()
        .setNamespace(temporal.getOptions().getNamespace())
        .setWorkflowExecution(WorkflowExecution.newBuilder().setWorkflowId(WorkflowIds.sandboxWorkflowId(name)))
        .build());
    Awaitility.await("deleted").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> {
      try {
        temporal.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).describe();
        return false;
      } catch (WorkflowNotFoundException e) {
        return true;
      }
    });
    String said = "no sandbox named \"" + name + "\"";
    for (String[] command : List.of(new String[] {"get", name}, new String[] {"wait", name},
        new String[] {"wait", name, "--for", "running"}, new String[] {"logs", name}, new String[] {"exec", name, "--", "true"},
        new String[] {"terminate", name})) {
      Run run = sandbox(command);
      assertThat(run.code()).as("%s: %s", String.join(" ", command), run.err()).isEqualTo(ExitCodes.NOT_FOUND);
      assertThat(run.err()).contains(said);
    }
    assertThat(sandbox("list", "--all").out()).doesNotContain(name);
  }
}
