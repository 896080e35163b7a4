package dev.sandboxes.workflow;

import static dev.sandboxes.workflow.UnknownFieldsTest.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumeStatus;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Extreme values in every duration, size and count of every workflow input and update argument,
 * sent as another language's client would (maps, bypassing this project's clients and their
 * checks): the largest long, negative values, and values past what the field's type holds
 * ({@code 1e30} for an int, a duration beyond {@code java.time}). Each workflow fails at its start
 * as {@code InvalidSandboxSpec} naming the field, and each update is rejected so, within seconds:
 * never a workflow task that fails on every attempt, never a workflow that never ends.
 */
class ExtremeInputTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final long MAX = Long.MAX_VALUE;
  static final BigDecimal HUGE = new BigDecimal("1e30");
  static final String PAST_JAVA_TIME = "PT99999999999999999999H";

  static ScriptedRuntime runtime;
  static TestWorkflowEnvironment env;
  static WorkflowClient client;

  @BeforeAll
  static void start() {
    runtime = new ScriptedRuntime();
    env = ScriptedEnvironment.start(runtime);
    client = env.getWorkflowClient();
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  static Object sandbox(Object... specFields) {
    Object[] fields = new Object[specFields.length + 2];
    fields[0] = "image";
    fields[1] = "busybox:1.36";
    System.arraycopy(specFields, 0, fields, 2, specFields.length);
    return map("spec", map(fields));
  }

  static Object sandboxRequest(String field, Object value) {
    return map("spec", map("image", "busybox:1.36"), field, value);
  }

  static Object batch(Object... specFields) {
    Object[] fields = new Object[specFields.length + 6];
    fields[0] = "template";
    fields[1] = map("image", "busybox:1.36", "command", List.of("true"));
    fields[2] = "count";
    fields[3] = 2;
    fields[4] = "parallelism";
    fields[5] = 1;
    System.arraycopy(specFields, 0, fields, 6, specFields.length);
    // a field given twice: the later one wins (LinkedHashMap)
    return map("spec", map(fields));
  }

  /** A workflow start: its type, the workflow ID's prefix, its input(s), what its failure must say. */
  record Start(String description, String type, String idPrefix, Object[] input, String says) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Arguments start(String description, String type, String idPrefix, Object input, String says) {
    return Arguments.of(new Start(description, type, idPrefix, new Object[] {input}, says));
  }

  static Stream<Arguments> starts() {
    return Stream.of(
        start("sandbox ttl: max long seconds", "Sandbox", "sandbox/", sandbox("ttl", MAX), "ttl: must be at most 365 days"),
        start("sandbox ttl: negative", "Sandbox", "sandbox/", sandbox("ttl", -1), "ttl: must be"),
        start("sandbox ttl: 1e30 seconds", "Sandbox", "sandbox/", sandbox("ttl", HUGE), "ttl: must be at most 365 days"),
        start("sandbox ttl: past java.time", "Sandbox", "sandbox/", sandbox("ttl", PAST_JAVA_TIME), "spec.ttl: cannot be read"),
        start("sandbox scheduleTimeout: max long", "Sandbox", "sandbox/", sandbox("scheduleTimeout", MAX), "scheduleTimeout: must be"),
        start("sandbox startupTimeout: negative", "Sandbox", "sandbox/", sandbox("startupTimeout", -5), "startupTimeout: must be"),
        start("sandbox startupTimeout: past java.time", "Sandbox", "sandbox/", sandbox("startupTimeout", PAST_JAVA_TIME),
            "spec.startupTimeout: cannot be read"),
        start("sandbox two unreadable fields", "Sandbox", "sandbox/", sandbox("ttl", PAST_JAVA_TIME, "startupTimeout", "soon"),
            "spec.ttl: cannot be read"),
        start("sandbox updatesPerRun: 0", "Sandbox", "sandbox/", sandboxRequest("updatesPerRun", 0),
            "updatesPerRun: must be between 1 and 1000, got 0"),
        start("sandbox updatesPerRun: max int", "Sandbox", "sandbox/", sandboxRequest("updatesPerRun", Integer.MAX_VALUE),
            "updatesPerRun: must be between 1 and 1000, got 2147483647"),
        start("sandbox updatesPerRun: 1e30", "Sandbox", "sandbox/", sandboxRequest("updatesPerRun", HUGE),
            "updatesPerRun: cannot be read"),
        start("sandbox resultLines: negative", "Sandbox", "sandbox/", sandboxRequest("resultLines", -1),
            "resultLines: must be between 0 and 5000, got -1"),
        start("sandbox resultLines: max long", "Sandbox", "sandbox/", sandboxRequest("resultLines", MAX),
            "resultLines: cannot be read"),
        start("volume size: 1e30", "Volume", "volume/", map("name", "%s", "spec", map("size", "1e30")), "size: must be"),
        start("volume updatesPerRun: negative", "Volume", "volume/", map("name", "%s", "updatesPerRun", -1),
            "updatesPerRun: must be between 1 and 1000, got -1"),
        start("volume updatesPerRun: 1e30", "Volume", "volume/", map("name", "%s", "updatesPerRun", HUGE),
            "updatesPerRun: cannot be read"),
        start("batch count: max long", "Batch", "batch/", batch("count", MAX), "spec.count: cannot be read"),
        start("batch count: negative", "Batch", "batch/", batch("count", -1), "count: must give 1 to 100000 items, got -1"),
        start("batch parallelism: max int", "Batch", "batch/", batch("parallelism", Integer.MAX_VALUE),
            "parallelism: must be between 1 and 1000, got 2147483647"),
        start("batch parallelism: 1e30", "Batch", "batch/", batch("parallelism", HUGE), "spec.parallelism: cannot be read"),
        start("batch tailLines: negative", "Batch", "batch/", batch("tailLines", -1), "tailLines: must be"),
        start("batch retry attempts: max int", "Batch", "batch/", batch("retry", map("attempts", Integer.MAX_VALUE)),
            "retry.attempts: must be between 1 and 10, got 2147483647"),
        start("batch retry backoff: max long", "Batch", "batch/", batch("retry", map("attempts", 2, "initialBackoff", MAX)),
            "retry.initialBackoff: must be between 0 and PT1H, got PT2562047788015215H30M7S"),
        start("batch retry backoff: past java.time", "Batch", "batch/",
            batch("retry", map("attempts", 2, "maxBackoff", PAST_JAVA_TIME)), "spec.retry.maxBackoff: cannot be read"),
        start("batch chunksPerRun: 0", "Batch", "batch/", map("spec", ((java.util.Map<?, ?>) batch()).get("spec"), "chunksPerRun", 0),
            "chunksPerRun: must be between 1 and 1000, got 0"),
        start("batch nextChunk: negative", "Batch", "batch/", map("spec", ((java.util.Map<?, ?>) batch()).get("spec"), "nextChunk", -1),
            "nextChunk: must be between 0 and 2147483647, got -1"),
        start("batch: no spec", "Batch", "batch/", map("spce", map()), "spec: must be set"),
        start("reaper grace: negative", "SandboxReaper", "sandboxes-reaper/x/manual-", map("grace", -1), "grace: must be between 0 and 30 days"),
        start("reaper grace: max long", "SandboxReaper", "sandboxes-reaper/x/manual-", map("grace", MAX), "grace: must be between 0 and 30 days"),
        start("reaper grace: past java.time", "SandboxReaper", "sandboxes-reaper/x/manual-", map("grace", PAST_JAVA_TIME),
            "grace: cannot be read"),
        Arguments.of(new Start("exec output offset: min long", "SandboxExecOutput", "exec-output/",
            new Object[] {"some-box", map("execId", "e1", "offset", Long.MIN_VALUE)}, "offset: must be an offset")),
        Arguments.of(new Start("exec output offset: 1e30", "SandboxExecOutput", "exec-output/",
            new Object[] {"some-box", map("execId", "e1", "offset", HUGE)}, "offset: cannot be read")),
        Arguments.of(new Start("exec output wait: max long", "SandboxExecOutput", "exec-output/",
            new Object[] {"some-box", map("execId", "e1", "maxWait", MAX)}, "maxWait: must be from 0 to PT50S")),
        Arguments.of(new Start("exec output: no sandbox", "SandboxExecOutput", "exec-output/",
            new Object[] {null, map("execId", "e1")}, "sandbox: must not be empty")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("starts")
  void aWorkflowStartedWithAnExtremeValueFailsAtOnceTypedNamingTheField(Start start) {
    String name = "x" + UUID.randomUUID().toString().substring(0, 8);
    Object[] input = start.input().clone();
    if (input[0] instanceof java.util.Map<?, ?> fields && "%s".equals(fields.get("name"))) {
      @SuppressWarnings("unchecked")
      java.util.Map<String, Object> named = (java.util.Map<String, Object>) fields;
      named.put("name", name);
    }
    int objects = runtime.objectsCreated();
    WorkflowStub stub = client.newUntypedWorkflowStub(start.type(), WorkflowOptions.newBuilder()
        .setWorkflowId(start.idPrefix() + name).setTaskQueue(TaskQueues.DEFAULT).build());
    stub.start(input);
    Throwable failed = catchThrowable(() -> stub.getResult(WAIT.toSeconds(), TimeUnit.SECONDS, Object.class));
    assertThat(failed).as("the workflow ended, failed").isInstanceOf(WorkflowFailedException.class);
    assertThat(failed.getCause()).isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
      assertThat(failure.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage()).contains(start.says()).doesNotContain("\n");
    });
    assertThat(runtime.objectsCreated()).as("nothing was created").isEqualTo(objects);
  }

  /** An update on a running sandbox or a ready volume: its name, its arguments, what the rejection must say. */
  record Update(String description, String target, String update, Object[] args, String says) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Arguments update(String description, String target, String update, String says, Object... args) {
    return Arguments.of(new Update(description, target, update, args, says));
  }

  static Stream<Arguments> updates() {
    return Stream.of(
        update("awaitRunning: null", "sandbox", "awaitRunning", "timeout: must be set", (Object) null),
        update("awaitRunning: negative", "sandbox", "awaitRunning", "timeout: must be positive", -1),
        update("awaitRunning: max long", "sandbox", "awaitRunning", "timeout: must be at most 365 days", MAX),
        update("awaitRunning: 1e30", "sandbox", "awaitRunning", "timeout: must be at most 365 days", HUGE),
        update("terminate: 2,000-character reason", "sandbox", "terminate", "reason: must be at most 1024 characters",
            "r".repeat(2000)),
        update("exec timeout: max long", "sandbox", "exec", "timeout: must be at most PT6H",
            map("argv", List.of("true"), "timeout", MAX)),
        update("exec timeout: negative", "sandbox", "exec", "timeout: must be", map("argv", List.of("true"), "timeout", -1)),
        update("exec timeout: past java.time", "sandbox", "exec", "timeout: cannot be read",
            map("argv", List.of("true"), "timeout", PAST_JAVA_TIME)),
        update("logs tail: max int", "sandbox", "logs", "tail: must be between 1 and 5000, got 2147483647",
            map("tail", Integer.MAX_VALUE)),
        update("logs tail: 1e30", "sandbox", "logs", "tail: cannot be read", map("tail", HUGE)),
        update("logs tail: negative", "sandbox", "logs", "tail: must be between 1 and 5000, got -1", map("tail", -1)),
        update("volume awaitReady: negative", "volume", "awaitReady", "timeout: must be positive", -1),
        update("volume awaitReady: max long", "volume", "awaitReady", "timeout: must be at most 365 days", MAX),
        update("volume readFile: negative offset", "volume", "readFile", "offset: must be 0 or more, got -1", "/f", -1, 10),
        update("volume readFile: max int length", "volume", "readFile", "length: must be between 1 and 1048576 bytes",
            "/f", 0, Integer.MAX_VALUE));
  }

  static String runningSandbox;
  static String readyVolume;

  /** One running sandbox and one ready volume for every update case: a rejection must leave them as they were. */
  static synchronized String target(String kind) {
    if (runningSandbox == null) {
      SandboxClient sandboxes = new SandboxClient(client, TaskQueues.DEFAULT);
      runningSandbox = sandboxes.start(SandboxSpec.builder("busybox:1.36").name("extremes").build());
      assertThat(sandboxes.awaitRunning(runningSandbox, WAIT).phase()).isEqualTo(SandboxPhase.RUNNING);
      readyVolume = "extremes";
      new dev.sandboxes.client.VolumeClient(client).create(readyVolume, dev.sandboxes.model.VolumeSpec.defaults());
    }
    return kind.equals("sandbox") ? WorkflowIds.sandboxWorkflowId(runningSandbox) : WorkflowIds.volumeWorkflowId(readyVolume);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("updates")
  void anUpdateWithAnExtremeValueIsRejectedTypedNamingTheFieldAndChangesNothing(Update update) {
    String id = target(update.target());
    ApplicationFailure rejected = RejectionTypesTest.rejection(client, id, update.update(), update.args());
    assertThat(rejected.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
    assertThat(rejected.getOriginalMessage()).contains(update.says()).doesNotContain("\n");
    // the workflow still serves
    if (update.target().equals("sandbox")) {
      SandboxClient sandboxes = new SandboxClient(client, TaskQueues.DEFAULT);
      assertThat(sandboxes.describe(runningSandbox).phase()).isEqualTo(SandboxPhase.RUNNING);
      assertThat(sandboxes.exec(runningSandbox, ExecRequest.of("echo", "ok")).stdout()).isEqualTo("ok\n");
    } else {
      VolumeStatus status = client.newUntypedWorkflowStub(id).query("describe", VolumeStatus.class);
      assertThat(status.phase()).isNotEqualTo("failed");
    }
  }
}
