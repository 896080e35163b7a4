package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SearchAttributesMissingException;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.local.LocalRuntime;
import dev.sandboxes.runtime.local.LocalRuntimeOptions;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Search attributes that cannot be forgotten, against the temporal CLI's dev server started
 * without them (as a self-hosted server is before its first install): a worker with the plugin
 * registers them when it starts; one whose namespace has an attribute of the same name and
 * another type does not start; a client whose namespace lacks them fails at once, naming the
 * attribute and the command that registers it.
 */
class SearchAttributesAtStartTest {
  private static final Path LOGS = Path.of("target", "search-attributes-at-start");

  @Test
  void aWorkerWithThePluginRegistersThemWhenItStarts() throws Exception {
    try (DevServer server = DevServer.start(LOGS.resolve("register.log"), false, List.of())) {
      assertThat(registered(server)).doesNotContainKeys(SearchAttributeKeys.DEFINITIONS.keySet().toArray(String[]::new));
      withAWorker(server, factory -> {
        factory.start();
        assertThat(registered(server)).containsAllEntriesOf(SearchAttributeKeys.DEFINITIONS);
      });
    }
  }

  @Test
  void aWorkerWhoseNamespaceHasOneOfAnotherTypeDoesNotStart() throws Exception {
    try (DevServer server = DevServer.start(LOGS.resolve("conflict.log"), false, List.of())) {
      String name = SearchAttributeKeys.PHASE.getName();
      OperatorServiceStubs operator = operator(server);
      try {
        operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
            .setNamespace("default").putSearchAttributes(name, IndexedValueType.INDEXED_VALUE_TYPE_INT).build());
      } finally {
        operator.shutdownNow();
      }
      withAWorker(server, factory -> {
        assertThatThrownBy(factory::start).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("search attribute SandboxPhase is registered in namespace default as "
                + "INDEXED_VALUE_TYPE_INT; sandboxes need INDEXED_VALUE_TYPE_KEYWORD");
        assertThat(factory.isStarted() && !factory.isShutdown()).as("polling").isFalse();
      });
    }
  }

  /** A worker factory with the plugin (local runtime) and one worker, not started, given to {@code test}. */
  private static void withAWorker(DevServer server, java.util.function.Consumer<WorkerFactory> test) throws Exception {
    WorkflowServiceStubs stubs = stubs(server);
    try (LocalRuntime runtime = new LocalRuntime(LocalRuntimeOptions.newBuilder()
        .root(Files.createTempDirectory("attributes-at-start-")).build())) {
      WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs),
          WorkerFactoryOptions.newBuilder().setPlugins(SandboxPlugin.forRuntime(runtime)).build());
      factory.newWorker(TaskQueues.DEFAULT);
      try {
        test.accept(factory);
      } finally {
        factory.shutdownNow();
      }
    } finally {
      stubs.shutdownNow();
    }
  }

  @Test
  void aClientWhoseNamespaceLacksThemFailsAtOnceNamingTheFix() throws Exception {
    try (DevServer server = DevServer.start(LOGS.resolve("client.log"), false, List.of())) {
      WorkflowServiceStubs stubs = stubs(server);
      try {
        SandboxClient sandboxes = new SandboxClient(WorkflowClient.newInstance(stubs));
        assertThatThrownBy(() -> sandboxes.start(SandboxSpec.builder("busybox:1.36").build()))
            .isInstanceOf(SearchAttributesMissingException.class)
            .hasMessageStartingWith("namespace default lacks the sandbox search attribute Sandbox")
            .hasMessageContaining("sandbox setup --namespace default");
        assertThatThrownBy(() -> sandboxes.startAndAwaitRunning(SandboxSpec.builder("busybox:1.36").build(),
            java.time.Duration.ofSeconds(30))).isInstanceOf(SearchAttributesMissingException.class);
      } finally {
        stubs.shutdownNow();
      }
      // and the command line says it in one line, exit 1
      SandboxCliTest.Run run = SandboxCliTest.sandboxAt(server.address(), "create", "busybox:1.36");
      assertThat(run.code()).isEqualTo(ExitCodes.OPERATIONAL);
      assertThat(run.err()).startsWith("sandbox: namespace default lacks the sandbox search attribute Sandbox");
    }
  }

  private static WorkflowServiceStubs stubs(DevServer server) {
    return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(server.address()).build());
  }

  private static OperatorServiceStubs operator(DevServer server) {
    return OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
        .setTarget(server.address()).validateAndBuildWithDefaults());
  }

  private static Map<String, IndexedValueType> registered(DevServer server) {
    OperatorServiceStubs operator = operator(server);
    try {
      return operator.blockingStub().listSearchAttributes(ListSearchAttributesRequest.newBuilder()
          .setNamespace("default").build()).getCustomAttributesMap();
    } finally {
      operator.shutdownNow();
    }
  }
}
