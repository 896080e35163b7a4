package dev.sandboxes.plugin;

import dev.sandboxes.client.SearchAttributeSetup;
import dev.sandboxes.model.SearchAttributesMissingException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.ServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker with the plugin does before it polls: makes sure its namespace has the sandbox
 * search attributes, registering those it lacks where the server allows it. Without them every
 * sandbox start fails (a child started from a workflow fails its workflow task again and again),
 * so a worker that cannot register them does not start, and says which are missing and how to
 * add them. A server that cannot list them (Temporal's in-process test server) or does not let
 * this worker list them is not checked.
 */
final class SearchAttributeCheck {
  private static final Logger log = LoggerFactory.getLogger(SearchAttributeCheck.class);

  private SearchAttributeCheck() {}

  /**
   * Checks (and completes) the search attributes of {@code client}'s namespace.
   *
   * @throws IllegalStateException when some are missing and cannot be registered, or one has
   *     another type
   * @throws StatusRuntimeException when the server cannot be reached (a caller may retry)
   */
  static void ensure(WorkflowClient client) {
    WorkflowServiceStubs stubs = client.getWorkflowServiceStubs();
    String namespace = client.getOptions().getNamespace();
    // over the worker's own channel (its TLS), with its API key, headers and interceptors
    ServiceStubsOptions connection = stubs.getOptions();
    OperatorServiceStubsOptions.Builder options = OperatorServiceStubsOptions.newBuilder()
        .setChannel(stubs.getRawChannel())
        .setRpcTimeout(connection.getRpcTimeout());
    if (connection.getHeaders() != null) {
      options.setHeaders(connection.getHeaders());
    }
    if (connection.getGrpcMetadataProviders() != null) {
      options.setGrpcMetadataProviders(connection.getGrpcMetadataProviders());
    }
    if (connection.getGrpcClientInterceptors() != null) {
      options.setGrpcClientInterceptors(connection.getGrpcClientInterceptors());
    }
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(options.validateAndBuildWithDefaults());
    try {
      Optional<Map<String, IndexedValueType>> missing;
      try {
        missing = SearchAttributeSetup.missing(operator, namespace);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
          throw e;
        }
        log.warn("Cannot list the search attributes of namespace {} ({}): not checked; sandboxes fail to start "
            + "if they are missing (sandbox setup registers them)", namespace, e.getStatus().getDescription());
        return;
      }
      if (missing.isEmpty() || missing.get().isEmpty()) {
        return;
      }
      Map<String, IndexedValueType> added = SearchAttributeSetup.add(operator, namespace, missing.get());
      log.info("Registered the sandbox search attributes {} in namespace {}", added.keySet(), namespace);
    } catch (SearchAttributesMissingException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } finally {
      operator.shutdown();
    }
  }
}
