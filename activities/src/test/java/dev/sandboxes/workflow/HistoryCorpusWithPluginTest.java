package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.sandboxes.batch.BatchRequest;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.UnknownFields;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DataConverter;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The history corpus ({@link HistoryCorpusTest}) replayed by a worker whose client has the
 * plugin, as the project's worker runs: its data converter looks for unknown fields in every
 * input it decodes. Every history replays as recorded, and so does each sandbox, volume and
 * batch history whose start input is given misspelt fields: an older worker accepted such a
 * start (and dropped them), and a newer one replaying it must decide as it did.
 */
class HistoryCorpusWithPluginTest {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The workflow types whose start refuses unknown fields, and the type of their input. */
  static final Map<String, Class<?>> CHECKED = Map.of(
      "Sandbox", SandboxRequest.class, "Volume", VolumeRequest.class, "Batch", BatchRequest.class);

  static TestWorkflowEnvironment env;
  static Worker worker;

  @BeforeAll
  static void worker() {
    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
            .setPlugins(SandboxPlugin.forRuntime(new ScriptedRuntime())).build())
        .build());
    worker = env.newWorker("history-corpus-replay-with-plugin");
    worker.registerWorkflowImplementationTypes(OwnerWorkflowImpl.class, AwaitingOwnerWorkflowImpl.class);
  }

  @AfterAll
  static void close() {
    env.close();
  }

  /**
   * {@link HistoryCorpusTest#corpus()}, also when the workflows module's tests come as a jar (as
   * in {@code mvn verify}).
   */
  static List<Path> corpus() throws IOException, URISyntaxException {
    URI uri = HistoryCorpusTest.class.getClassLoader().getResource(HistoryCorpusTest.CORPUS).toURI();
    if (!uri.getScheme().equals("jar")) {
      return HistoryCorpusTest.corpus();
    }
    try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of());
        Stream<Path> files = Files.walk(jar.getPath(HistoryCorpusTest.CORPUS))) {
      Path root = jar.getPath(HistoryCorpusTest.CORPUS);
      return files.filter(p -> p.toString().endsWith(".json"))
          .map(p -> Path.of(root.relativize(p).toString())).sorted().toList();
    }
  }

  static String typeOf(WorkflowExecutionHistory history) {
    return history.getEvents().get(0).getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName();
  }

  /**
   * {@code history} with misspelt fields added to its start input ({@code cmd} in its spec, and a
   * field of its own next to the spec); the recorded file is never changed.
   */
  static WorkflowExecutionHistory withUnknownFields(WorkflowExecutionHistory history) throws IOException {
    HistoryEvent started = history.getEvents().get(0);
    WorkflowExecutionStartedEventAttributes attributes = started.getWorkflowExecutionStartedEventAttributes();
    Payload input = attributes.getInput().getPayloads(0);
    ObjectNode json = (ObjectNode) JSON.readTree(input.getData().toByteArray());
    if (json.get("spec") instanceof ObjectNode spec) {
      spec.putArray("cmd").add("echo");
    }
    json.put("sepc", true);
    Payload changed = input.toBuilder().setData(ByteString.copyFrom(JSON.writeValueAsBytes(json))).build();
    HistoryEvent event = started.toBuilder().setWorkflowExecutionStartedEventAttributes(attributes.toBuilder()
        .setInput(attributes.getInput().toBuilder().setPayloads(0, changed))).build();
    return new WorkflowExecutionHistory(history.getHistory().toBuilder().setEvents(0, event).build());
  }

  @TestFactory
  Stream<DynamicTest> everyRecordedHistoryReplaysWithThePluginsConverter() throws Exception {
    return corpus().stream().map(path -> DynamicTest.dynamicTest(path.toString(), () ->
        WorkflowReplayer.replayWorkflowExecution(HistoryCorpusTest.load(path), worker)));
  }

  @TestFactory
  Stream<DynamicTest> aStartRecordedBeforeTheChangeWithMisspeltFieldsReplaysAsItRan() throws Exception {
    DataConverter converter = env.getWorkflowClient().getOptions().getDataConverter();
    List<Path> starts = corpus().stream()
        .filter(path -> CHECKED.containsKey(typeOf(HistoryCorpusTest.load(path)))).toList();
    assertThat(starts).extracting(path -> typeOf(HistoryCorpusTest.load(path))).contains("Sandbox", "Volume", "Batch");
    return starts.stream().map(path -> DynamicTest.dynamicTest(path.toString(), () -> {
      WorkflowExecutionHistory changed = withUnknownFields(HistoryCorpusTest.load(path));
      // the converter finds them (the workflow would refuse such a start today)...
      Class<?> inputType = CHECKED.get(typeOf(changed));
      Object input = converter.fromPayloads(0, java.util.Optional.of(changed.getEvents().get(0)
          .getWorkflowExecutionStartedEventAttributes().getInput()), inputType, inputType);
      assertThat(UnknownFields.of(input)).extracting(v -> v.field()).contains("sepc");
      // ...and the run recorded before the change replays as it ran
      WorkflowReplayer.replayWorkflowExecution(changed, worker);
    }));
  }
}
