package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code sandbox setup} against the temporal CLI's dev server started without the sandbox
 * search attributes, as a self-hosted server is before its first install, and against the
 * in-process server of the embedded stack (which {@code sandbox demo} and {@code dev} use
 * when the temporal CLI is not installed).
 */
class SetupCommandTest {
  private static final Path LOGS = Path.of("target", "setup-command");

  @Test
  void registersWhatIsMissingOnceAndThenFindsItPresent() throws Exception {
    try (DevServer server = DevServer.start(LOGS.resolve("server.log"), false, List.of())) {
      assertThat(registered(server)).doesNotContainKeys(SearchAttributeKeys.DEFINITIONS.keySet().toArray(String[]::new));

      SandboxCliTest.Run first = SandboxCliTest.sandboxAt(server.address(), "setup");
      assertThat(first.code()).as(first.err()).isZero();
      assertThat(first.out()).startsWith("search attributes of namespace default: "
          + SearchAttributeKeys.DEFINITIONS.size() + " added, 0 already present");
      assertThat(registered(server)).containsAllEntriesOf(SearchAttributeKeys.DEFINITIONS);

      SandboxCliTest.Run again = SandboxCliTest.sandboxAt(server.address(), "setup");
      assertThat(again.code()).as(again.err()).isZero();
      assertThat(again.out()).isEqualTo("search attributes of namespace default: 0 added, "
          + SearchAttributeKeys.DEFINITIONS.size() + " already present" + System.lineSeparator());
    }
  }

  @Test
  void anAttributeOfTheSameNameAndAnotherTypeIsRefusedByName() throws Exception {
    try (DevServer server = DevServer.start(LOGS.resolve("server-conflict.log"), false, List.of())) {
      String name = SearchAttributeKeys.DEFINITIONS.keySet().iterator().next();
      IndexedValueType other = SearchAttributeKeys.DEFINITIONS.get(name) == IndexedValueType.INDEXED_VALUE_TYPE_INT
          ? IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD : IndexedValueType.INDEXED_VALUE_TYPE_INT;
      operator(server, stubs -> stubs.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace("default").putSearchAttributes(name, other).build()));

      SandboxCliTest.Run run = SandboxCliTest.sandboxAt(server.address(), "setup");
      assertThat(run.code()).isEqualTo(ExitCodes.OPERATIONAL);
      assertThat(run.err()).contains("search attribute " + name + " is registered in namespace default as "
          + other + "; sandboxes need " + SearchAttributeKeys.DEFINITIONS.get(name));
    }
  }

  /** The embedded stack's server (Temporal's in-process Java test server) cannot list them. */
  @Test
  void onTheInProcessServerEveryAttributeIsAdded() throws Exception {
    int port = DevServer.freePort();
    try (InProcessTemporal server = InProcessTemporal.start(port)) {
      SandboxCliTest.Run run = SandboxCliTest.sandboxAt("127.0.0.1:" + port, "setup");
      assertThat(run.code()).as(run.err()).isZero();
      assertThat(run.out()).startsWith("search attributes of namespace default: "
          + SearchAttributeKeys.DEFINITIONS.size() + " added, 0 already present");
    }
  }

  @Test
  void anUnreachableServerIsOneLineNamingTheAddress() throws Exception {
    String address = "127.0.0.1:" + DevServer.freePort();
    SandboxCliTest.Run run = SandboxCliTest.sandboxAt(address, "setup");
    assertThat(run.code()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(run.err()).contains("cannot list the search attributes of namespace default at " + address);
  }

  private static Map<String, IndexedValueType> registered(DevServer server) {
    return operator(server, stubs -> stubs.blockingStub().listSearchAttributes(
        ListSearchAttributesRequest.newBuilder().setNamespace("default").build()).getCustomAttributesMap());
  }

  private static <T> T operator(DevServer server, java.util.function.Function<OperatorServiceStubs, T> call) {
    OperatorServiceStubs stubs = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(server.address()).validateAndBuildWithDefaults());
    try {
      return call.apply(stubs);
    } finally {
      stubs.shutdownNow();
    }
  }
}
