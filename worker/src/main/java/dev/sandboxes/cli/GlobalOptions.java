package dev.sandboxes.cli;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The flags every command takes: where Temporal is, and how to print. */
final class GlobalOptions {
  @Option(names = "--address", paramLabel = "HOST:PORT",
      defaultValue = "${env:TEMPORAL_ADDRESS:-127.0.0.1:7233}",
      description = "Temporal frontend (env TEMPORAL_ADDRESS, default ${DEFAULT-VALUE})")
  String address;

  @Option(names = "--namespace", defaultValue = "${env:TEMPORAL_NAMESPACE:-default}",
      description = "Temporal namespace (env TEMPORAL_NAMESPACE, default ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--task-queue", defaultValue = TaskQueues.DEFAULT,
      description = "task queue of the sandbox workers (default ${DEFAULT-VALUE})")
  String taskQueue;

  @Option(names = "--json", description = "machine-readable output")
  boolean json;

  private WorkflowServiceStubs stubs;
  private SandboxClient client;

  /** Connects on first use; fails with one line naming the address when Temporal is not there. */
  SandboxClient sandboxes() {
    if (client == null) {
      stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
          .setTarget(address)
          .setRpcTimeout(Duration.ofSeconds(10))
          .build());
      try {
        stubs.healthCheck();
      } catch (RuntimeException e) {
        stubs.shutdownNow();
        throw new CliException(ExitCodes.OPERATIONAL,
            "cannot reach Temporal at " + address + ": " + rootMessage(e));
      }
      WorkflowClient workflowClient = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
      client = new SandboxClient(workflowClient, taskQueue);
    }
    return client;
  }

  /** Batches through the same connection. */
  dev.sandboxes.client.BatchClient batches() {
    return new dev.sandboxes.client.BatchClient(sandboxes().workflowClient(), taskQueue);
  }

  /** Volumes through the same connection. */
  dev.sandboxes.client.VolumeClient volumes() {
    return new dev.sandboxes.client.VolumeClient(sandboxes().workflowClient(), taskQueue);
  }

  dev.sandboxes.client.PoolClient pools() {
    return new dev.sandboxes.client.PoolClient(sandboxes().workflowClient());
  }

  dev.sandboxes.client.ReaperClient reaper() {
    return new dev.sandboxes.client.ReaperClient(sandboxes().workflowClient());
  }

  void close() {
    if (stubs != null) {
      stubs.shutdownNow();
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
