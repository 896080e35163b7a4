package dev.sandboxes.cli;

import dev.sandboxes.client.SearchAttributeSetup;
import dev.sandboxes.model.SearchAttributesMissingException;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.ServiceStubsOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "setup", mixinStandardHelpOptions = true,
    description = "Register the sandbox search attributes in a Temporal namespace (once per "
        + "namespace; safe to repeat; workers with the plugin also do it when they start, where the "
        + "server allows it). Uses the operator API of a self-hosted server; on Temporal Cloud create "
        + "them with tcld or the Cloud UI instead.")
final class SetupCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, IndexedValueType> added = register(global.stubsOptions(), global.address, global.namespace);
    out.printf("search attributes of namespace %s: %d added, %d already present%n", global.namespace,
        added.size(), SearchAttributeKeys.DEFINITIONS.size() - added.size());
    added.forEach((name, type) -> out.printf("  added %s (%s)%n", name, type));
    return ExitCodes.OK;
  }

  /** {@link #register(ServiceStubsOptions, String, String)} over plaintext (the embedded stack's server). */
  static Map<String, IndexedValueType> register(String address, String namespace) {
    return register(OperatorServiceStubsOptions.newBuilder().setTarget(address).setRpcTimeout(Duration.ofSeconds(10))
        .validateAndBuildWithDefaults(), address, namespace);
  }

  /**
   * Adds the sandbox search attributes that {@code namespace} lacks and returns those it added
   * ({@link SearchAttributeSetup#register}); one registered under the same name with another type
   * is refused by name.
   */
  static Map<String, IndexedValueType> register(ServiceStubsOptions connection, String address, String namespace) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder(connection).validateAndBuildWithDefaults());
    try {
      return SearchAttributeSetup.register(operator, namespace);
    } catch (SearchAttributesMissingException e) {
      throw new CliException(ExitCodes.OPERATIONAL, e.getMessage());
    } catch (StatusRuntimeException e) {
      throw new CliException(ExitCodes.OPERATIONAL, "cannot list the search attributes of namespace "
          + namespace + " at " + address + ": " + GlobalOptions.rootMessage(e));
    } finally {
      operator.shutdownNow();
    }
  }
}
