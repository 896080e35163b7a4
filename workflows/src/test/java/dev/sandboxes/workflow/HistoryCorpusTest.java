package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.registry.WorkflowTypes;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every recorded history of every kept release ({@code histories/<release>/*.json},
 * recorded by {@code deploy/record-histories.sh}) against the current workflow code, registered
 * exactly as a worker registers it ({@link WorkflowTypes}). A change to a workflow's commands
 * that is not behind {@code Workflow.getVersion} fails here, naming the history it breaks.
 * Histories are kept forever and never rewritten: a workflow that started on an old release may
 * still be open when the new one takes it over.
 */
class HistoryCorpusTest {
  static final String CORPUS = "histories";

  static TestWorkflowEnvironment env;
  static Worker plain;
  static Worker versioned;

  @BeforeAll
  static void workers() {
    env = TestWorkflowEnvironment.newInstance();
    plain = env.newWorker("history-corpus-replay");
    WorkflowTypes.register(plain, SandboxLimits.defaults(), false);
    // a versioned worker's implementations declare their behaviour; an auto-upgrade workflow
    // started on an unversioned (or older) worker is replayed by them
    versioned = env.newWorker("history-corpus-replay-versioned");
    WorkflowTypes.register(versioned, SandboxLimits.defaults(), true);
    // the author API (Sandboxes.start, Sandbox.exec) runs inside users' workflows: a workflow
    // that uses it is kept in the corpus too
    plain.registerWorkflowImplementationTypes(OwnerWorkflowImpl.class, AwaitingOwnerWorkflowImpl.class);
    versioned.registerWorkflowImplementationTypes(OwnerWorkflowImpl.class, AwaitingOwnerWorkflowImpl.class);
  }

  @AfterAll
  static void close() {
    env.close();
  }

  /** Every history file of every release, as {@code <release>/<file>}, in order. */
  static List<Path> corpus() {
    try {
      Path root = Path.of(HistoryCorpusTest.class.getClassLoader().getResource(CORPUS).toURI());
      try (Stream<Path> files = Files.walk(root)) {
        return files.filter(p -> p.toString().endsWith(".json")).map(root::relativize).sorted().toList();
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot list the history corpus", e);
    }
  }

  static WorkflowExecutionHistory load(Path history) {
    try (var in = HistoryCorpusTest.class.getClassLoader()
        .getResourceAsStream(CORPUS + "/" + history.toString().replace('\\', '/'))) {
      return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read history " + history, e);
    }
  }

  @Test
  void theCorpusCoversEveryWorkflowTypeInMoreThanOneRelease() {
    List<Path> all = corpus();
    assertThat(all.stream().map(p -> p.getName(0).toString()).distinct().count())
        .as("releases in the corpus").isGreaterThanOrEqualTo(2);
    assertThat(all.stream().map(p -> load(p).getEvents().get(0)
        .getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName()).distinct())
        .as("workflow types in the corpus")
        .contains("Sandbox", "Volume", "Batch", "BatchChunk", "SandboxReaper", "SandboxPool",
            "SandboxExecOutput");
  }

  @TestFactory
  Stream<DynamicTest> everyRecordedHistoryReplaysOnTheCurrentCode() {
    return corpus().stream().map(history -> DynamicTest.dynamicTest(history.toString(), () -> {
      try {
        WorkflowReplayer.replayWorkflowExecution(load(history), plain);
        WorkflowReplayer.replayWorkflowExecution(load(history), versioned);
      } catch (Exception | Error e) {
        throw new AssertionError("history " + CORPUS + "/" + history + " does not replay on the "
            + "current workflow code: a change to the commands it records needs Workflow.getVersion "
            + "(see CONTRIBUTING.md, \"Changing a workflow\"): " + e, e);
      }
    }));
  }
}
