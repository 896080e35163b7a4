package dev.sandboxes.cli;

import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "setup", mixinStandardHelpOptions = true,
    description = "Register the sandbox search attributes in a Temporal namespace (once per "
        + "namespace, before the first worker starts; safe to repeat). Uses the operator API of a "
        + "self-hosted server; on Temporal Cloud create them with tcld or the Cloud UI instead.")
final class SetupCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, IndexedValueType> added = register(global.address, global.namespace);
    out.printf("search attributes of namespace %s: %d added, %d already present%n", global.namespace,
        added.size(), SearchAttributeKeys.DEFINITIONS.size() - added.size());
    added.forEach((name, type) -> out.printf("  added %s (%s)%n", name, type));
    return ExitCodes.OK;
  }

  /**
   * Adds the sandbox search attributes that {@code namespace} lacks and returns those it added;
   * one registered under the same name with another type is refused by name.
   */
  static Map<String, IndexedValueType> register(String address, String namespace) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions
        .newBuilder().setTarget(address).setRpcTimeout(Duration.ofSeconds(10)).validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> existing = existing(operator, address, namespace);
      Map<String, IndexedValueType> missing = new TreeMap<>();
      SearchAttributeKeys.DEFINITIONS.forEach((name, type) -> {
        IndexedValueType have = existing.get(name);
        if (have == null) {
          missing.put(name, type);
        } else if (have != type) {
          throw new CliException(ExitCodes.OPERATIONAL, "search attribute " + name + " is registered in "
              + "namespace " + namespace + " as " + have + "; sandboxes need " + type);
        }
      });
      if (!missing.isEmpty()) {
        operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
            .setNamespace(namespace).putAllSearchAttributes(missing).build());
      }
      return missing;
    } finally {
      operator.shutdownNow();
    }
  }

  /** The custom search attributes of {@code namespace}; none where the server cannot list them. */
  private static Map<String, IndexedValueType> existing(OperatorServiceStubs operator, String address, String namespace) {
    try {
      return operator.blockingStub().listSearchAttributes(
          ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build()).getCustomAttributesMap();
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.UNIMPLEMENTED) {
        // Temporal's in-process Java test server (the embedded stack's without the temporal CLI)
        // cannot list them, and takes them all: all are added
        return Map.of();
      }
      throw new CliException(ExitCodes.OPERATIONAL, "cannot list the search attributes of namespace "
          + namespace + " at " + address + ": " + GlobalOptions.rootMessage(e));
    }
  }
}
