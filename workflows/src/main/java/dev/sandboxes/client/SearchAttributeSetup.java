package dev.sandboxes.client;

import dev.sandboxes.model.SearchAttributesMissingException;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The search attributes a namespace needs for sandboxes ({@link SearchAttributeKeys#DEFINITIONS}):
 * which it lacks, and registering them, idempotently. {@code sandbox setup} and a worker with the
 * plugin use it; so can an application that manages its namespaces itself.
 */
public final class SearchAttributeSetup {
  private SearchAttributeSetup() {}

  /**
   * Registers in {@code namespace} the sandbox search attributes it lacks and returns those it
   * added (empty when all were there). Where the server cannot list them (Temporal's in-process
   * test server, which takes them all) it adds them all.
   *
   * @throws SearchAttributesMissingException when an attribute is registered with another type,
   *     or the server refuses to add them (e.g. no operator permission)
   * @throws StatusRuntimeException when the server cannot be reached
   */
  public static Map<String, IndexedValueType> register(OperatorServiceStubs operator, String namespace) {
    return add(operator, namespace, missing(operator, namespace).orElse(SearchAttributeKeys.DEFINITIONS));
  }

  /**
   * Adds {@code missing} (as {@link #missing} found them) to {@code namespace} and returns them.
   *
   * @throws SearchAttributesMissingException when the server refuses to add them
   * @throws StatusRuntimeException when the server cannot be reached
   */
  public static Map<String, IndexedValueType> add(OperatorServiceStubs operator, String namespace,
      Map<String, IndexedValueType> missing) {
    if (missing.isEmpty()) {
      return Map.of();
    }
    try {
      operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace(namespace).putAllSearchAttributes(missing).build());
    } catch (StatusRuntimeException e) {
      if (unreachable(e)) {
        throw e;
      }
      throw new SearchAttributesMissingException(namespace, List.copyOf(missing.keySet()),
          "the server refused to add them: " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
    }
    return new TreeMap<>(missing);
  }

  /**
   * The sandbox search attributes {@code namespace} lacks, by name and type; empty when the
   * server cannot list them (it is not known then).
   *
   * @throws SearchAttributesMissingException when one is registered with another type
   * @throws StatusRuntimeException when the server cannot be reached or refuses to list them
   */
  public static Optional<Map<String, IndexedValueType>> missing(OperatorServiceStubs operator, String namespace) {
    Map<String, IndexedValueType> existing;
    try {
      existing = operator.blockingStub().listSearchAttributes(
          ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build()).getCustomAttributesMap();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return Optional.empty();
      }
      throw e;
    }
    Map<String, IndexedValueType> missing = new TreeMap<>();
    SearchAttributeKeys.DEFINITIONS.forEach((name, type) -> {
      IndexedValueType have = existing.get(name);
      if (have == null) {
        missing.put(name, type);
      } else if (have != type) {
        throw SearchAttributesMissingException.wrongType(namespace, name, have, type);
      }
    });
    return Optional.of(missing);
  }

  private static final Pattern UNDEFINED = Pattern.compile(
      "(?:no mapping defined for search attribute|search attribute) (Sandbox\\w+|Batch\\w+|Volume\\w+)");

  /**
   * The typed error for a start the server refused because {@code namespace} lacks a sandbox
   * search attribute (INVALID_ARGUMENT naming it), or empty for any other failure.
   */
  public static Optional<SearchAttributesMissingException> explain(Throwable failure, String namespace) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.INVALID_ARGUMENT
          && status.getStatus().getDescription() != null) {
        Matcher named = UNDEFINED.matcher(status.getStatus().getDescription());
        if (named.find() && SearchAttributeKeys.DEFINITIONS.containsKey(named.group(1))) {
          return Optional.of(new SearchAttributesMissingException(namespace, List.of(named.group(1)), null));
        }
      }
    }
    return Optional.empty();
  }

  private static boolean unreachable(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
  }
}
