package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.Batches;
import dev.sandboxes.batch.RetryPolicy;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input through the client API and the author API, on one test server: each is refused with a
 * typed error whose one-line message names the field and the rule, before any workflow starts or
 * any object is created (the author API's exec and logs cases excepted: they need a sandbox).
 */
class BadInputApiTest {
  static final String MB3 = "x".repeat(3_000_000);
  static final SandboxSpec OK = SandboxSpec.builder("busybox:1.36").command("true").build();

  static ScriptedRuntime runtime;
  static TestWorkflowEnvironment env;
  static WorkflowClient client;
  static SandboxClient sandboxes;
  static VolumeClient volumes;
  static BatchClient batches;

  @WorkflowInterface
  public interface AuthorWorkflow {
    /** Runs the author-API call named {@code call} with bad input. */
    @WorkflowMethod
    void run(String call);
  }

  public static class AuthorWorkflowImpl implements AuthorWorkflow {
    @Override
    public void run(String call) {
      switch (call) {
        case "start" -> Sandboxes.start(OK.toBuilder().ttl(Duration.ofDays(1_000_000_000_000L)).build());
        case "run" -> Sandboxes.run(OK.toBuilder().memory("lots").build());
        case "exec" -> {
          try (Sandbox box = Sandboxes.start(SandboxSpec.builder("busybox:1.36").build())) {
            box.awaitRunning();
            box.exec(ExecRequest.of("sleep", "1").withTimeout(Duration.ofDays(2)));
          }
        }
        case "logs" -> {
          try (Sandbox box = Sandboxes.start(SandboxSpec.builder("busybox:1.36").build())) {
            box.awaitRunning();
            box.logs(LogRequest.lastLines(1_000_000));
          }
        }
        case "map-parallelism" -> Batches.map(List.of("a"), w -> OK, 5000);
        case "map-items" -> Batches.map(Collections.nCopies(10_000_000, "a"), w -> OK, 10);
        case "map-item-spec" -> Batches.map(List.of("a", "b"), w -> OK.toBuilder().cpu(w.equals("b") ? "-1" : null).build(), 2);
        case "batch" -> Batches.run(BatchSpec.ofCount(null, OK, 10_000_000, 10));
        default -> throw new IllegalArgumentException(call);
      }
    }
  }

  @BeforeAll
  static void start() {
    runtime = new ScriptedRuntime();
    env = ScriptedEnvironment.start(runtime, AuthorWorkflowImpl.class);
    client = env.getWorkflowClient();
    sandboxes = new SandboxClient(client);
    volumes = new VolumeClient(client);
    batches = new BatchClient(client);
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  /** A call with bad input; {@code name} is the sandbox, volume or batch name it must not spend. */
  record Case(String description, String name, Consumer<String> call, String type, String field, String rule) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Arguments invalid(String description, Consumer<String> call, String field, String rule) {
    return Arguments.of(new Case(description, "bad-" + UUID.randomUUID().toString().substring(0, 8), call,
        SandboxErrors.INVALID_SPEC, field, rule));
  }

  static Arguments typed(String description, String type, Consumer<String> call, String field, String rule) {
    return Arguments.of(new Case(description, "bad-" + UUID.randomUUID().toString().substring(0, 8), call,
        type, field, rule));
  }

  static SandboxSpec.Builder spec(String name) {
    return OK.toBuilder().name(name);
  }

  static Stream<Arguments> clientCalls() {
    List<String> cidrs = IntStream.range(0, 101).mapToObj(i -> "10.0." + i + ".0/24").toList();
    List<SandboxSpec> heavyItems = Collections.nCopies(60, OK.toBuilder().env("BULK", "e".repeat(60_000)).build());
    return Stream.of(
        invalid("start: ttl of a trillion days", n -> sandboxes.start(spec(n).ttl(Duration.ofDays(1_000_000_000_000L)).build()),
            "ttl", "must be at most 365 days (PT8760H), got PT24000000000000H"),
        invalid("start: ttl of 366 days", n -> sandboxes.start(spec(n).ttl(Duration.ofDays(366)).build()),
            "ttl", "must be at most 365 days"),
        invalid("start: 101 egress CIDRs", n -> sandboxes.start(spec(n).egress(new EgressPolicy(false, cidrs)).build()),
            "egress.allowedCidrs", "must have at most 100 entries, got 101"),
        invalid("start: a null egress CIDR", n -> sandboxes.start(spec(n).egress(EgressPolicy.allow("10.0.0.0/8", null)).build()),
            "egress.allowedCidrs[1]", "must not be null"),
        invalid("start: 3 MB workdir", n -> sandboxes.start(spec(n).workdir("/" + MB3).build()),
            "workdir", "must be at most 4096 characters, got 3000001"),
        invalid("start: 3 MB mount path", n -> sandboxes.start(spec(n).volume("/" + MB3, "data").build()),
            "volumeMounts[\"/xxx", "must be at most 4096 characters, got 3000001"),
        invalid("start: memory of 1e30", n -> sandboxes.start(spec(n).memory("1e30").build()),
            "memory", "must be less than 8Ei, got \"1e30\""),
        invalid("exec: timeout of a week", n -> sandboxes.exec(n, ExecRequest.of("true").withTimeout(Duration.ofDays(7))),
            "timeout", "must be at most PT6H, got PT168H"),
        invalid("exec: name that is not a label", n -> sandboxes.exec("Bad Name", ExecRequest.of("true")),
            "name", "must be a DNS-1123 label"),
        typed("exec: unknown sandbox", SandboxErrors.NOT_FOUND, n -> sandboxes.exec(n, ExecRequest.of("true")),
            "no sandbox named", ""),
        invalid("logs: tail of a million", n -> sandboxes.logs(n, LogRequest.lastLines(1_000_000)),
            "tail", "must be between 1 and 5000, got 1000000"),
        invalid("describe: 3 MB name", n -> sandboxes.describe(MB3), "name", "must be at most 63 characters, got 3000000"),
        invalid("awaitRunning: no timeout", n -> sandboxes.awaitRunning(n, null), "timeout", "must be set"),
        invalid("awaitRunning: a trillion days", n -> sandboxes.awaitRunning(n, Duration.ofDays(1_000_000_000_000L)),
            "timeout", "must be at most 365 days"),
        invalid("awaitDone: negative timeout", n -> sandboxes.awaitDone(n, Duration.ofSeconds(-1)),
            "timeout", "must be positive, got PT-1S"),
        invalid("terminate: 3 MB reason", n -> sandboxes.terminate(n, MB3), "reason", "must be at most 1024 characters"),
        invalid("volume create: 100Ei", n -> volumes.create(n, new VolumeSpec("100Ei", null, null)),
            "size", "must be less than 8Ei, got \"100Ei\""),
        invalid("volume create: 64-character name", n -> volumes.create("v".repeat(64), VolumeSpec.defaults()),
            "name", "must be at most 63 characters, got 64"),
        invalid("volume awaitReady: zero timeout", n -> volumes.awaitReady(n, Duration.ZERO), "timeout", "must be positive"),
        invalid("volume read: length 0", n -> volumes.readFile(n, "/f", 0, 0), "length", "must be between 1 and 1048576 bytes, got 0"),
        invalid("volume read: negative offset", n -> volumes.readFile(n, "/f", -1, 10), "offset", "must be 0 or more, got -1"),
        invalid("volume write: 3 MB", n -> volumes.writeFile(n, "/f", new byte[3_000_000]), "data",
            "must be at most 1048576 bytes (1 MiB) per write, got 3000000 bytes"),
        invalid("volume get: name that is not a label", n -> volumes.get("-bad-"), "name", "must be a DNS-1123 label"),
        invalid("batch: 10,000,000 counted items", n -> batches.start(BatchSpec.ofCount(n, OK, 10_000_000, 10)),
            "count", "must give 1 to 100000 items, got 10000000"),
        invalid("batch: 10,000,000 inputs", n -> batches.start(BatchSpec.ofInputs(n, OK, Collections.nCopies(10_000_000, "i"), 10)),
            "inputs", "must give 1 to 100000 items, got 10000000"),
        invalid("batch: a null input", n -> batches.start(BatchSpec.ofInputs(n, OK, java.util.Arrays.asList("a", null), 1)),
            "inputs[1]", "must be set and at most 32768 characters"),
        invalid("batch: a null item", n -> batches.start(BatchSpec.ofSpecs(n, java.util.Arrays.asList(OK, null), 1)),
            "items[1]", "must not be null"),
        invalid("batch: 3.6 MB of explicit items", n -> batches.start(BatchSpec.ofSpecs(n, heavyItems, 10)),
            "items", "must serialize to at most 1048576 bytes"),
        invalid("batch: Integer.MAX_VALUE attempts", n -> batches.start(BatchSpec.ofCount(n, OK, 2, 1)
            .withRetry(RetryPolicy.attempts(Integer.MAX_VALUE))), "retry.attempts", "must be between 1 and 10, got 2147483647"),
        invalid("batch: backoff of a day", n -> batches.start(BatchSpec.ofCount(n, OK, 2, 1)
            .withRetry(new RetryPolicy(2, null, Duration.ofDays(1), null))), "retry.maxBackoff", "must be at most PT1H, got PT24H"),
        invalid("batch: 33 retry rules", n -> batches.start(BatchSpec.ofCount(n, OK, 2, 1)
            .withRetry(new RetryPolicy(2, null, null, Collections.nCopies(33, "failed")))), "retry.retryOn",
            "must have at most 32 entries, got 33"),
        invalid("batch: a null retry rule", n -> batches.start(BatchSpec.ofCount(n, OK, 2, 1)
            .withRetry(new RetryPolicy(2, null, null, java.util.Arrays.asList("failed", null)))), "retry.retryOn",
            "entries are phases, reasons or exit:N, got null"),
        invalid("batch: parallelism of -1", n -> batches.start(BatchSpec.ofCount(n, OK, 2, -1)),
            "parallelism", "must be between 1 and 1000, got -1"),
        invalid("batch awaitDone: a trillion days", n -> batches.awaitDone(n, Duration.ofDays(1_000_000_000_000L)),
            "timeout", "must be at most 365 days"),
        invalid("batch progress: 41-character name", n -> batches.progress("b".repeat(41)),
            "name", "must be at most 40 characters, got 41"),
        typed("batch cancel: unknown batch", SandboxErrors.NOT_FOUND, n -> batches.cancel(n), "no batch named", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clientCalls")
  void theClientRefusesWithATypedErrorNamingTheFieldAndRule(Case c) {
    int objects = runtime.objectsCreated();
    Throwable thrown = catchThrowable(() -> c.call().accept(c.name()));
    assertThat(thrown).isInstanceOf(SandboxException.class);
    SandboxException typed = (SandboxException) thrown;
    assertThat(typed.type()).isEqualTo(c.type());
    assertThat(typed.getMessage()).contains(c.field()).contains(c.rule()).doesNotContain("\n");
    assertThat(typed.getMessage().length()).as("a short line").isLessThan(400);
    assertThat(runtime.objectsCreated()).as("no object created").isEqualTo(objects);
    for (String id : List.of(WorkflowIds.sandboxWorkflowId(c.name()), WorkflowIds.volumeWorkflowId(c.name()),
        WorkflowIds.batchWorkflowId(c.name()))) {
      assertThatThrownBy(() -> client.newUntypedWorkflowStub(id).describe()).as("no workflow " + id)
          .isInstanceOf(WorkflowNotFoundException.class);
    }
  }

  static Stream<Arguments> authorCalls() {
    return Stream.of(
        Arguments.of("start", "ttl: must be at most 365 days"),
        Arguments.of("run", "memory: must be a Kubernetes quantity such as 500m, 2, 256Mi or 1Gi, got \"lots\""),
        Arguments.of("exec", "timeout: must be at most PT6H, got PT48H"),
        Arguments.of("logs", "tail: must be between 1 and 5000, got 1000000"),
        Arguments.of("map-parallelism", "parallelism: must be between 1 and 1000, got 5000"),
        Arguments.of("map-items", "items: must be at most 1000 for Batches.map, got 10000000"),
        Arguments.of("map-item-spec", "items[1].cpu: must be a Kubernetes quantity"),
        Arguments.of("batch", "count: must give 1 to 100000 items, got 10000000"));
  }

  @ParameterizedTest(name = "author API: {0}")
  @MethodSource("authorCalls")
  void theAuthorApiFailsTheWorkflowWithATypedNonRetryableFailure(String call, String message) {
    String id = "author-" + call + "-" + UUID.randomUUID();
    AuthorWorkflow author = client.newWorkflowStub(AuthorWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(id).setTaskQueue(TaskQueues.DEFAULT)
        .setWorkflowRunTimeout(Duration.ofMinutes(1)).build());
    Throwable thrown = catchThrowable(() -> author.run(call));
    assertThat(thrown).isInstanceOf(WorkflowFailedException.class);
    assertThat(thrown.getCause()).isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
      assertThat(failure.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage()).contains(message).doesNotContain("\n");
    });
    // every sandbox the workflow started (exec, logs) ended with it: nothing is left running
    List<String> children = new ArrayList<>();
    client.fetchHistory(id).getEvents().stream().filter(e -> e.hasStartChildWorkflowExecutionInitiatedEventAttributes())
        .forEach(e -> children.add(e.getStartChildWorkflowExecutionInitiatedEventAttributes().getWorkflowId()));
    assertThat(children).hasSizeLessThanOrEqualTo(call.equals("exec") || call.equals("logs") ? 1 : 0);
    for (String child : children) {
      assertThat(sandboxes.describe(WorkflowIds.sandboxNameOf(child)).phase().terminal()).as(child).isTrue();
      assertThat(runtime.exists(WorkflowIds.sandboxNameOf(child))).as("its pod is gone").isFalse();
    }
  }
}
