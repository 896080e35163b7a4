package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.sandboxes.worker.BuildVersion;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code sandbox} commands, run for real against a Temporal server and a worker. By default
 * the embedded stack of {@code sandbox dev} (in-process, local runtime); with
 * {@code -Dsandboxes.cli.address=HOST:PORT} against that server instead (the end-to-end rig).
 */
public class SandboxCliTest {
  static EmbeddedStack stack;
  static String address;

  record Run(int code, String out, String err) {
    JsonNode json() {
      try {
        return Output.JSON.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out, e);
      }
    }
  }

  @BeforeAll
  static void startStack() throws Exception {
    address = System.getProperty("sandboxes.cli.address");
    if ((address == null || address.isBlank()) && Boolean.getBoolean("sandboxes.e2e")) {
      org.assertj.core.api.Assertions.fail("the e2e suite needs the rig's Temporal server: "
          + "-Dsandboxes.cli.address is not set; start it with deploy/rig/up.sh");
    }
    if (address == null || address.isBlank()) {
      stack = EmbeddedStack.start(DemoCommand.freePort(), "local");
      address = stack.address();
    }
    System.out.println("CLI tests against " + address + (stack == null ? " (external)"
        : stack.uiUrl() != null ? " (temporal CLI dev server)" : " (in-process Java test server)"));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.shutdown();
    }
  }

  /** Runs {@code sandbox <command> --address A <rest...>}. */
  static Run sandbox(String... args) {
    return sandboxAt(address, args);
  }

  /** Runs {@code sandbox <command> --address ADDRESS <rest...>} in this process. */
  static Run sandboxAt(String address, String... args) {
    List<String> argv = new ArrayList<>();
    // the global options belong to the leaf command: `volume create --address A NAME`
    int leaf = List.of("volume", "batch", "pool").contains(args[0]) && args.length > 1 ? 2 : 1;
    argv.addAll(Arrays.asList(args).subList(0, leaf));
    if (!args[leaf - 1].startsWith("-")) {
      argv.add("--address");
      argv.add(address);
    }
    argv.addAll(Arrays.asList(args).subList(leaf, args.length));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SandboxCommand.execute(argv.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  /** Asks again every 200 ms, for at most a minute (things another workflow starts take a moment). */
  static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
    Awaitility.await(what).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
        .until(condition::getAsBoolean);
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static String idle(String prefix, String... extra) {
    String name = unique(prefix);
    List<String> args = new ArrayList<>(List.of("create", "busybox:1.36", "--name", name, "--wait"));
    args.addAll(List.of(extra));
    Run run = sandbox(args.toArray(String[]::new));
    assertThat(run.code()).as(run.err()).isZero();
    return name;
  }

  // --- create, get, wait, logs --------------------------------------------------------------

  @Test
  void createPrintsTheNameAndWaitReturnsOnceRunning() {
    Run created = sandbox("create", "busybox:1.36", "--wait", "--tag", "suite=cli");
    assertThat(created.code()).as(created.err()).isZero();
    String name = created.out().trim();
    assertThat(name).matches("sbx-[a-z0-9]{12}");
    JsonNode status = sandbox("get", name, "--json").json();
    assertThat(status.get("phase").asText()).isEqualTo("running");
    assertThat(status.get("image").asText()).isEqualTo("busybox:1.36");
    assertThat(status.get("tags").get("suite").asText()).isEqualTo("cli");
    assertThat(status.has("reason")).isTrue();
    assertThat(status.has("exitCode")).isTrue();
    assertThat(status.get("createdAt").asText()).isNotBlank();
    assertThat(status.get("startedAt").asText()).isNotBlank();
    assertThat(sandbox("terminate", name).code()).isZero();
  }

  @Test
  void theEgressFlagsReachTheSpecAndTheLocalRuntimeRefusesAnAllowListNamingIt() {
    Run open = sandbox("create", "busybox:1.36", "--wait", "--allow-all-egress");
    assertThat(open.code()).as(open.err()).isZero();
    assertThat(sandbox("get", open.out().trim(), "--json").json().get("phase").asText()).isEqualTo("running");
    Run allowed = sandbox("create", "busybox:1.36", "--wait", "--allow-cidr", "10.0.0.0/8");
    Run hosts = sandbox("create", "busybox:1.36", "--wait", "--allow-host", "pypi.org:443", "--allow-host", "*.example.org");
    if (stack == null) {
      // the rig's Kubernetes runtime: a policy of the sandbox's own, and the egress proxy for
      // hosts (NetworkIsolationClusterTest)
      assertThat(allowed.code()).as(allowed.err()).isZero();
      assertThat(hosts.code()).as(hosts.err()).isZero();
      return;
    }
    // the local runtime has no per-CIDR or per-host egress: the create is refused, not given the
    // whole network
    assertThat(allowed.code()).as(allowed.out()).isEqualTo(ExitCodes.USAGE);
    assertThat(allowed.err()).contains("egress.allowedCidrs");
    assertThat(hosts.code()).as(hosts.out()).isEqualTo(ExitCodes.USAGE);
    assertThat(hosts.err()).contains("egress.allowedHosts");
  }

  @Test
  void aCommandRunsToCompletionAndItsLogsStayReadable() {
    String name = unique("job");
    Run created = sandbox("create", "busybox:1.36", "--name", name, "-e", "WHO=world", "--",
        "sh", "-c", "echo hello $WHO; echo second line; exit 0");
    assertThat(created.out().trim()).isEqualTo(name);
    Run waited = sandbox("wait", name, "--for", "done", "--timeout", "2m");
    assertThat(waited.code()).as(waited.err()).isZero();
    assertThat(waited.out().trim()).isEqualTo("succeeded");
    assertThat(sandbox("logs", name).out()).isEqualTo("hello world\nsecond line\n");
    assertThat(sandbox("logs", name, "--tail", "1").out()).isEqualTo("second line\n");
    assertThat(sandbox("logs", name, "--since", "1h").out()).contains("hello world");
    JsonNode status = sandbox("get", name, "--json").json();
    assertThat(status.get("phase").asText()).isEqualTo("succeeded");
    assertThat(status.get("exitCode").asInt()).isZero();
    assertThat(status.get("finishedAt").asText()).isNotBlank();
  }

  @Test
  void aFailingCommandEndsFailedWithItsExitCode() {
    String name = unique("bad");
    sandbox("create", "busybox:1.36", "--name", name, "--", "sh", "-c", "exit 3");
    assertThat(sandbox("wait", name).out().trim()).isEqualTo("failed");
    assertThat(sandbox("get", name, "--json").json().get("exitCode").asInt()).isEqualTo(3);
    Run waitRunning = sandbox("wait", name, "--for", "running");
    assertThat(waitRunning.code()).isEqualTo(ExitCodes.WRONG_PHASE);
    assertThat(waitRunning.err()).contains("is failed and will not run");
  }

  @Test
  void followPrintsNewLinesUntilTheSandboxEnds() {
    String name = unique("tick");
    sandbox("create", "busybox:1.36", "--name", name, "--", "sh", "-c",
        "for i in 1 2 3; do echo tick $i; sleep 1; done");
    Run follow = sandbox("logs", name, "--follow");
    assertThat(follow.code()).as(follow.err()).isZero();
    assertThat(follow.out()).isEqualTo("tick 1\ntick 2\ntick 3\n");
  }

  @Test
  void followOfAChattyCommandPrintsEveryLineOnce() {
    // lines come every 20 ms, so some are written while the tail is read
    String name = unique("chatty");
    sandbox("create", "busybox:1.36", "--name", name, "--wait", "--", "sh", "-c",
        "i=1; while [ $i -le 100 ]; do echo line $i; i=$((i+1)); sleep 0.02; done");
    Run follow = sandbox("logs", name, "--follow");
    assertThat(follow.code()).as(follow.err()).isZero();
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 100; i++) {
      expected.append("line ").append(i).append('\n');
    }
    assertThat(follow.out()).isEqualTo(expected.toString());
  }

  @Test
  void waitGivesUpAfterItsTimeout() {
    String name = idle("slow");
    Run run = sandbox("wait", name, "--for", "done", "--timeout", "1s");
    assertThat(run.code()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(run.err()).contains("timed out after 1s waiting for sandbox \"" + name + "\" to be done; it is running");
    sandbox("terminate", name);
  }

  // --- exec ---------------------------------------------------------------------------------

  @Test
  void execPassesStdoutStderrAndTheExitCodeThrough() {
    String name = idle("exec");
    Run run = sandbox("exec", name, "--", "sh", "-c", "echo out; echo err >&2; exit 7");
    assertThat(run.code()).isEqualTo(7);
    assertThat(run.out()).isEqualTo("out\n");
    assertThat(run.err()).isEqualTo("err\n");
    Run env = sandbox("exec", name, "-e", "GREETING=hi", "--workdir", "/tmp", "--", "sh", "-c", "echo $GREETING; pwd");
    assertThat(env.code()).isZero();
    assertThat(env.out()).isEqualTo("hi\n/tmp\n");
    Run json = sandbox("exec", name, "--json", "--", "echo", "x");
    assertThat(json.json().get("stdout").asText()).isEqualTo("x\n");
    sandbox("terminate", name);
  }

  @Test
  void execWithStdinPassesItAndTheCommandSeesEndOfInput() {
    String name = idle("exec-in");
    java.io.InputStream stdin = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream("hi\nthere\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      Run run = sandbox("exec", name, "-i", "--", "cat");
      assertThat(run.code()).as(run.err()).isZero();
      assertThat(run.out()).isEqualTo("hi\nthere\n");
    } finally {
      System.setIn(stdin);
    }
    sandbox("terminate", name);
  }

  @Test
  void execUnderAnIdUsedBeforeReturnsThatExecInsteadOfRunningTheCommandAgain() {
    String name = idle("exec-id");
    String id = unique("once");
    Run first = sandbox("exec", name, "--id", id, "--", "sh", "-c", "echo line >> /tmp/once; cat /tmp/once");
    Run again = sandbox("exec", name, "--id", id, "--", "sh", "-c", "echo line >> /tmp/once; cat /tmp/once");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(again.out()).isEqualTo(first.out()).isEqualTo("line\n");
    assertThat(sandbox("exec", name, "--", "cat", "/tmp/once").out()).isEqualTo("line\n");
    sandbox("terminate", name);
  }

  @Test
  void execTimesOutWithCode124() {
    String name = idle("exec-slow");
    Run run = sandbox("exec", name, "--timeout", "1s", "--", "sleep", "30");
    assertThat(run.code()).isEqualTo(124);
    assertThat(run.err()).contains("timed out");
    sandbox("terminate", name);
  }

  @Test
  void execOnASandboxThatIsNotRunningExits3NamingItsPhase() {
    String name = unique("done");
    sandbox("create", "busybox:1.36", "--name", name, "--", "true");
    sandbox("wait", name);
    Run run = sandbox("exec", name, "--", "true");
    assertThat(run.code()).isEqualTo(ExitCodes.WRONG_PHASE);
    assertThat(run.err().trim()).isEqualTo(
        "sandbox: sandbox \"" + name + "\" is succeeded; exec needs a running sandbox");
  }

  // --- list, terminate ----------------------------------------------------------------------

  @Test
  void listFiltersAndHidesTerminatedSandboxes() {
    String batch = unique("b");
    String a = idle("la", "--tag", "batch=" + batch, "--tag", "role=a");
    String b = idle("lb", "--tag", "batch=" + batch, "--tag", "role=b");
    Run table = sandbox("list", "--tag", "batch=" + batch);
    assertThat(table.out().lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "IMAGE", "PHASE", "CREATED", "STARTED", "EXIT", "TAGS");
    assertThat(table.out()).contains(a, b);
    assertThat(sandbox("list", "--tag", "batch=" + batch, "--tag", "role=a").out()).contains(a).doesNotContain(b);
    assertThat(sandbox("list", "--tag", "batch=" + batch, "--phase", "running", "--image", "busybox:1.36").out())
        .contains(a, b);
    assertThat(sandbox("list", "--tag", "batch=" + batch, "--image", "other:1").out()).doesNotContain(a);
    sandbox("terminate", b);
    assertThat(sandbox("list", "--tag", "batch=" + batch).out()).contains(a).doesNotContain(b);
    assertThat(sandbox("list", "--tag", "batch=" + batch, "--all").out()).contains(a, b);
    assertThat(sandbox("list", "--tag", "batch=" + batch, "--phase", "terminated").out()).contains(b).doesNotContain(a);
    JsonNode json = sandbox("list", "--tag", "batch=" + batch, "--all", "--json").json();
    assertThat(json.isArray()).isTrue();
    assertThat(json.size()).isEqualTo(2);
    // from the status each workflow keeps in its memo: the same object `get` prints
    for (JsonNode row : json) {
      assertThat(row).as(row.get("name").asText()).isEqualTo(sandbox("get", row.get("name").asText(), "--json").json());
    }
    sandbox("terminate", a);
  }

  @Test
  void terminateSelectsByNameTagOrPhaseSkipsEndedOnesAndHonoursDryRun() {
    String batch = unique("t");
    String a = idle("ta", "--tag", "batch=" + batch);
    String b = idle("tb", "--tag", "batch=" + batch);
    Run dry = sandbox("terminate", "--tag", "batch=" + batch, "--dry-run");
    assertThat(dry.code()).isZero();
    assertThat(dry.out()).contains("would-terminate", a, b);
    assertThat(sandbox("get", a, "--json").json().get("phase").asText()).isEqualTo("running");

    Run byName = sandbox("terminate", a);
    assertThat(byName.out()).contains("terminated", a);
    assertThat(sandbox("get", a, "--json").json().get("phase").asText()).isEqualTo("terminated");
    Run again = sandbox("terminate", a);
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains("skipped", a, "terminated");

    Run noWait = sandbox("terminate", "--tag", "batch=" + batch, "--no-wait");
    assertThat(noWait.code()).isZero();
    assertThat(noWait.out()).contains("terminating", b);
    assertThat(sandbox("wait", b).out().trim()).isEqualTo("terminated");
  }

  @Test
  void terminateByPhaseAndAll() {
    String batch = unique("p");
    String a = idle("pa", "--tag", "batch=" + batch);
    Run byPhase = sandbox("terminate", "--phase", "running", "--tag", "batch=" + batch);
    assertThat(byPhase.out()).contains("terminated", a);
    String b = idle("pb", "--tag", "batch=" + batch);
    Run all = sandbox("terminate", "--all", "--dry-run");
    assertThat(all.out()).contains(b).doesNotContain(a);
    sandbox("terminate", b);
  }

  @Test
  void reapRemovesWhatAWorkflowTerminatedBehindItsBackLeftAndADryRunOnlyReportsIt() {
    String orphan = idle("orphan");
    String open = idle("kept");
    var stubs = io.temporal.serviceclient.WorkflowServiceStubs.newServiceStubs(
        io.temporal.serviceclient.WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    try {
      io.temporal.client.WorkflowClient.newInstance(stubs)
          .newUntypedWorkflowStub(dev.sandboxes.model.WorkflowIds.sandboxWorkflowId(orphan))
          .terminate("an operator's temporal workflow terminate");
    } finally {
      stubs.shutdownNow();
    }

    Run dry = sandbox("reap", "--dry-run", "--grace", "0s", "--json");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.json().get("dryRun").asBoolean()).isTrue();
    assertThat(dry.json().get("removed").findValuesAsText("name")).contains(orphan).doesNotContain(open);

    Run reaped = sandbox("reap", "--grace", "0s");
    assertThat(reaped.code()).as(reaped.err()).isZero();
    assertThat(reaped.out()).contains("removed ").contains(" " + orphan + " (owner sandbox/" + orphan + "): ")
        .contains("is closed (terminated").doesNotContain(open);
    assertThat(sandbox("reap", "--dry-run", "--grace", "0s", "--json").json().get("removed")
        .findValuesAsText("name")).doesNotContain(orphan);
    assertThat(sandbox("exec", open, "--", "true").code()).isZero();
    assertThat(sandbox("terminate", open).code()).isZero();
  }

  @Test
  void aWorkerWithoutWarmPoolsListsNone() {
    Run plain = sandbox("pool", "list");
    assertThat(plain.code()).as(plain.err()).isZero();
    assertThat(plain.out().lines().toList()).containsExactly(
        "NAME   IMAGE   SIZE   READY   STARTING   CLAIMED");
    Run json = sandbox("pool", "list", "--json");
    assertThat(json.code()).as(json.err()).isZero();
    assertThat(json.json().isArray()).isTrue();
    assertThat(json.json().size()).isZero();
  }

  // --- errors and exit codes ----------------------------------------------------------------

  @Test
  void anUnknownSandboxExits4() {
    for (String[] args : List.of(new String[] {"get", "no-such"}, new String[] {"logs", "no-such"},
        new String[] {"exec", "no-such", "--", "true"}, new String[] {"wait", "no-such"},
        new String[] {"terminate", "no-such"})) {
      Run run = sandbox(args);
      assertThat(run.code()).as(String.join(" ", args)).isEqualTo(ExitCodes.NOT_FOUND);
      assertThat(run.err()).as(String.join(" ", args)).contains("no sandbox named \"no-such\"");
    }
  }

  @Test
  void badInputExits2WithOneLineNamingTheProblem() {
    assertUsage(sandbox("create", "busybox:1.36", "--cpu", "lots"),
        "cpu: must be a Kubernetes quantity such as 500m, 2, 256Mi or 1Gi, got \"lots\"");
    assertUsage(sandbox("create", "busybox:1.36", "--name", "Bad_Name"), "name: must be a DNS-1123 label");
    assertUsage(sandbox("create", "busybox:1.36", "--ttl", "5x"), "must be a duration such as 30s");
    assertUsage(sandbox("create", "busybox:1.36", "--volume", "data=vol"), "must be an absolute path");
    assertUsage(sandbox("create", "busybox:1.36", "-e", "1X=v"), "env[\"1X\"]: name must match");
    assertUsage(sandbox("create"), "Missing required parameter: 'IMAGE'");
    assertUsage(sandbox("create", "busybox:1.36", "--bogus"), "Unknown option: '--bogus'");
    assertUsage(sandbox("list", "--phase", "sleeping"), "phase must be one of queued, creating");
    assertUsage(sandbox("logs", "x", "--tail", "0"), "tail: must be between 1 and 5000, got 0");
    assertUsage(sandbox("terminate"), "give sandbox names, or --tag/--phase/--all, but not both");
    assertUsage(sandbox("wait", "x", "--for", "sleeping"), "--for");
    assertUsage(sandbox("nonsense"), "Unmatched argument");
  }

  static void assertUsage(Run run, String message) {
    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains(message);
    assertThat(run.err().lines().count()).as(run.err()).isEqualTo(1);
  }

  @Test
  void aUsedNameExits1() {
    String name = unique("once");
    sandbox("create", "busybox:1.36", "--name", name, "--", "true");
    Run again = sandbox("create", "busybox:1.36", "--name", name);
    assertThat(again.code()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(again.err().trim()).isEqualTo("sandbox: sandbox name \"" + name
        + "\" is already used; sandbox names are never reused, even after the sandbox ended");
    // --wait sends the start and the wait together (update-with-start): refused the same way
    Run waited = sandbox("create", "busybox:1.36", "--name", name, "--wait");
    assertThat(waited.code()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(waited.err().trim()).isEqualTo(again.err().trim());
  }

  @Test
  void anUnreachableServerExits1() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SandboxCommand.execute(new String[] {"list", "--address", "127.0.0.1:1"},
        new PrintWriter(out), new PrintWriter(err));
    assertThat(code).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(err.toString()).startsWith("sandbox: cannot reach Temporal at 127.0.0.1:1");
  }

  @Test
  void helpAndVersionExit0() {
    assertThat(sandbox("--help").code()).isZero();
    assertThat(BuildVersion.current()).as("this build's version").isNotBlank();
    assertThat(sandbox("--version").out().strip()).isEqualTo("sandbox " + BuildVersion.current());
    assertThat(sandbox("create", "--help").out()).contains("--ttl", "--volume", "--wait");
  }

  // --- dev and demo -------------------------------------------------------------------------

  @Test
  void devPrintsReadyServesCommandsAndTerminatesItsSandboxesOnStop() throws Exception {
    int port = DemoCommand.freePort();
    StringWriter out = new StringWriter();
    DevCommand[] dev = new DevCommand[1];
    picocli.CommandLine cli = new picocli.CommandLine(new SandboxCommand(), new picocli.CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        K made = picocli.CommandLine.defaultFactory().create(cls);
        if (made instanceof DevCommand d) {
          dev[0] = d;
        }
        return made;
      }
    });
    cli.setOut(new PrintWriter(out, true));
    CompletableFuture<Integer> running = CompletableFuture.supplyAsync(
        () -> cli.execute("dev", "--port", String.valueOf(port), "--runtime", "local"));
    Awaitility.await("dev ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .failFast("dev ended before it was ready", running::isDone)
        .untilAsserted(() -> assertThat(out.toString()).as("dev's output so far").contains("ready"));
    assertThat(out.toString()).contains("ready address=127.0.0.1:" + port + " runtime=local");
    String saved = address;
    try {
      address = "127.0.0.1:" + port;
      idle("dev");
    } finally {
      address = saved;
    }
    dev[0].stop.countDown();
    assertThat(running.get(60, TimeUnit.SECONDS)).isZero();
    assertThat(out.toString()).contains("stopped: terminated 1 sandbox(es)");
  }

  @Test
  void workerServesSandboxesOnItsTaskQueueUntilStopped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
      throws Exception {
    String queue = unique("queue");
    StringWriter err = new StringWriter();
    Thread worker = new Thread(() -> SandboxCommand.execute(new String[] {"worker", "--address", address,
        "--task-queue", queue, "--sandboxes.runtime=local", "--sandboxes.local.isolation=none",
        "--sandboxes.local.root=" + root, "--server.port=0"}, new PrintWriter(new StringWriter()), new PrintWriter(err)));
    worker.start();
    try {
      String name = unique("viaworker");
      Run created = sandbox("create", "busybox:1.36", "--task-queue", queue, "--name", name, "--",
          "sh", "-c", "echo served by the worker");
      assertThat(created.code()).as(created.err()).isZero();
      Run done = sandbox("wait", name, "--timeout", "2m");
      assertThat(done.out().trim()).as(done.err() + err).isEqualTo("succeeded");
      assertThat(sandbox("logs", name).out()).isEqualTo("served by the worker\n");
    } finally {
      worker.interrupt();
      worker.join(60_000);
    }
    assertThat(worker.isAlive()).isFalse();
  }

  @Test
  void workerRejectsABadPropertyWithExitCode2() {
    Run run = sandbox("worker", "--sandboxes.runtime=docker", "--server.port=0");
    assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("invalid worker configuration: sandboxes.runtime");
  }

  @Test
  void demoFansOutAndPrintsAResultsTable() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SandboxCommand.execute(new String[] {"demo", "--count", "3", "--runtime", "local"},
        new PrintWriter(out), new PrintWriter(err));
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("SANDBOX", "PHASE", "EXIT", "OUTPUT", "3 of 3 succeeded.")
        .contains("sum(1..1000)=500500", "sum(1..3000)=4501500");
  }

  // --- volumes ------------------------------------------------------------------------------

  static String volume(String prefix) {
    String name = unique(prefix);
    Run created = sandbox("volume", "create", name, "--size", "64Mi");
    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out().trim()).isEqualTo(name);
    return name;
  }

  @Test
  void volumesAreCreatedListedServeFilesAndAreDeletedThenTheNameIsFreeForAnEmptyOne(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    String vol = volume("vol");
    Run again = sandbox("volume", "create", vol);
    assertThat(again.code()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(again.err()).contains("volume \"" + vol + "\" already exists");
    JsonNode status = sandbox("volume", "get", vol, "--json").json();
    assertThat(status.get("phase").asText()).isEqualTo("ready");
    assertThat(status.get("attachedTo")).isEmpty();
    assertThat(sandbox("volume", "list").out()).contains(vol);

    java.nio.file.Path input = dir.resolve("in.txt");
    java.nio.file.Files.writeString(input, "line one\nline two\n");
    Run written = sandbox("volume", "write", vol, "/docs/in.txt", "--file", input.toString());
    assertThat(written.code()).as(written.err()).isZero();
    assertThat(written.out()).contains("/docs/in.txt (18 bytes)");
    Run listed = sandbox("volume", "ls", vol, "/docs", "--json");
    assertThat(listed.code()).as(listed.err()).isZero();
    assertThat(listed.json().get(0).get("path").asText()).isEqualTo("/docs/in.txt");
    assertThat(listed.json().get(0).get("size").asLong()).isEqualTo(18);

    java.nio.file.Path output = dir.resolve("out.txt");
    Run read = sandbox("volume", "read", vol, "/docs/in.txt", "--offset", "5", "--length", "3", "-o", output.toString());
    assertThat(read.code()).as(read.err()).isZero();
    assertThat(java.nio.file.Files.readString(output)).isEqualTo("one");
    assertThat(sandbox("volume", "mv", vol, "/docs/in.txt", "/final.txt").code()).isZero();
    assertThat(sandbox("volume", "ls", vol).out()).contains("/final.txt").doesNotContain("/docs/in.txt");
    assertThat(sandbox("volume", "read", vol, "/docs/in.txt", "-o", output.toString()).code())
        .isEqualTo(ExitCodes.NOT_FOUND);

    Run deleted = sandbox("volume", "delete", vol);
    assertThat(deleted.code()).as(deleted.err()).isZero();
    assertThat(sandbox("volume", "get", vol).code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(sandbox("volume", "list").out()).doesNotContain(vol);
    assertThat(sandbox("volume", "delete", vol).code()).isEqualTo(ExitCodes.NOT_FOUND);

    assertThat(sandbox("volume", "create", vol).code()).isZero();
    Run empty = sandbox("volume", "ls", vol, "--json");
    assertThat(empty.code()).as(empty.err()).isZero();
    assertThat(empty.json()).isEmpty();
    assertThat(sandbox("volume", "delete", vol).code()).isZero();
  }

  @Test
  void sandboxesShareDataThroughAVolumeThatOutlivesTheWriter() {
    String vol = volume("shared");
    String writer = unique("writer");
    sandbox("create", "busybox:1.36", "--name", writer, "--volume", "/data=" + vol, "--",
        "sh", "-c", "mkdir -p /data/out && echo made by " + writer + " > /data/out/msg");
    assertThat(sandbox("wait", writer, "--for", "done", "--timeout", "2m").out().trim()).isEqualTo("succeeded");

    String reader = unique("reader");
    sandbox("create", "busybox:1.36", "--name", reader, "--volume", "/in=" + vol, "--", "cat", "/in/out/msg");
    assertThat(sandbox("wait", reader, "--for", "done", "--timeout", "2m").out().trim()).isEqualTo("succeeded");
    assertThat(sandbox("logs", reader).out()).isEqualTo("made by " + writer + "\n");
    assertThat(sandbox("volume", "ls", vol, "/out").out()).contains("/out/msg");
    assertThat(sandbox("volume", "delete", vol).code()).isZero();
  }

  @Test
  void aVolumeAttachedToARunningSandboxIsNotDeleted() {
    String vol = volume("busy");
    String user = idle("user", "--volume", "/work=" + vol);
    assertThat(sandbox("volume", "get", vol, "--json").json().get("attachedTo").get(0).asText()).isEqualTo(user);
    assertThat(sandbox("list", "--volume", vol).out()).contains(user);
    Run refused = sandbox("volume", "delete", vol);
    assertThat(refused.code()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(refused.err()).contains("volume \"" + vol + "\" is attached to sandbox(es) " + user);
    assertThat(sandbox("volume", "get", vol, "--json").json().get("phase").asText()).isEqualTo("ready");

    assertThat(sandbox("terminate", user).code()).isZero();
    assertThat(sandbox("volume", "delete", vol).code()).isZero();
  }

  @Test
  void volumeMistakesGetOneLineAndTheirExitCode() {
    Run unknown = sandbox("create", "busybox:1.36", "--volume", "/data=no-such-volume", "--", "true");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("volumeMounts[\"/data\"]: no volume named \"no-such-volume\"");
    Run badName = sandbox("volume", "create", "Not_A_Label");
    assertThat(badName.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badName.err()).contains("name");
    assertThat(sandbox("volume", "ls", "no-such-volume").code()).isEqualTo(ExitCodes.NOT_FOUND);
    String vol = volume("rules");
    Run relative = sandbox("volume", "read", vol, "etc/passwd");
    assertThat(relative.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(relative.err()).contains("path: must be absolute");
    Run escape = sandbox("volume", "mv", vol, "/a", "/../b");
    assertThat(escape.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(escape.err()).contains("to: must not contain \"..\"");
    assertThat(sandbox("volume", "delete", vol).code()).isZero();
  }

  // --- batches ------------------------------------------------------------------------------

  @Test
  void aBatchRunsEveryItemAndKeepsEveryResult() {
    String batch = unique("b");
    Run run = sandbox("batch", "run", "busybox:1.36", "--name", batch, "--count", "5", "--parallelism", "2",
        "--wait", "--", "sh", "-c", "echo item $SANDBOX_INDEX of five");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains(batch + " succeeded: 5 of 5 done (5 succeeded, 0 failed");
    JsonNode results = sandbox("batch", "results", batch, "--json").json();
    assertThat(results).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(results.get(i).get("index").asInt()).isEqualTo(i);
      assertThat(results.get(i).get("sandbox").asText()).isEqualTo(batch + "-" + i);
      assertThat(results.get(i).get("tail").get(0).asText()).isEqualTo("item " + i + " of five");
    }
    assertThat(sandbox("batch", "status", batch, "--json").json().get("state").asText()).isEqualTo("succeeded");
    assertThat(sandbox("list", "--all", "--tag", "batch=" + batch).out().lines().count()).isEqualTo(6);
  }

  @Test
  void aLongVolumeReadWithProgressPrintsBytesOfTotalOnStderr(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    String vol = volume("big");
    // 3 MiB written inside a sandbox (the file API writes at most 1 MiB): a read of three chunks
    Run filled = sandbox("create", "busybox:1.36", "--volume", "/data=" + vol, "--wait", "--", "sh", "-c",
        "head -c 3145728 /dev/zero > /data/big && sleep 300");
    assertThat(filled.code()).as(filled.err()).isZero();
    String name = filled.out().trim();
    try {
      java.nio.file.Path output = dir.resolve("big");
      org.awaitility.Awaitility.await("the 3 MiB file").atMost(java.time.Duration.ofSeconds(30)).until(() ->
          sandbox("volume", "ls", vol, "--json").out().contains("3145728"));
      Run read = sandbox("volume", "read", vol, "/big", "-o", output.toString(), "--progress");
      assertThat(read.code()).as(read.err()).isZero();
      assertThat(java.nio.file.Files.size(output)).isEqualTo(3145728);
      // stderr is no terminal here: a line per reading, and the final one says all of it
      assertThat(read.err().lines().toList()).isNotEmpty()
          .allSatisfy(line -> assertThat(line).matches(vol + ":/big: [0-9.]+ (B|KiB|MiB) / 3\\.0 MiB.*"))
          .last().asString().startsWith(vol + ":/big: 3.0 MiB / 3.0 MiB");
      Run quiet = sandbox("volume", "read", vol, "/big", "-o", output.toString());
      assertThat(quiet.err()).as("no line unless asked or on a terminal").isEmpty();
    } finally {
      sandbox("terminate", name);
    }
  }

  @Test
  void batchRunWaitWithProgressPrintsDoneOfTotalOnStderr() {
    String batch = unique("p");
    Run run = sandbox("batch", "run", "busybox:1.36", "--name", batch, "--count", "4", "--parallelism", "2",
        "--wait", "--progress", "--", "sh", "-c", "sleep 3; echo item $SANDBOX_INDEX");
    assertThat(run.code()).as(run.err()).isZero();
    // stderr is no terminal here: one line per reading, the first before anything is done
    assertThat(run.err().lines().toList()).isNotEmpty()
        .allSatisfy(line -> assertThat(line).matches(batch + ": \\d / 4 done \\(\\d succeeded, \\d failed\\), \\d running.*"));
    assertThat(run.out()).contains(batch + " succeeded: 4 of 4 done");
  }

  @Test
  void aBatchWithAFailingItemRetriesItAndExitsNonZero() {
    String batch = unique("f");
    Run run = sandbox("batch", "run", "busybox:1.36", "--name", batch, "--input", "ok", "--input", "bad",
        "--retries", "1", "--wait", "--", "sh", "-c", "echo got $SANDBOX_INPUT; test $SANDBOX_INPUT = ok");
    assertThat(run.code()).isEqualTo(ExitCodes.OPERATIONAL);
    assertThat(run.out()).contains(batch + " failed: 2 of 2 done (1 succeeded, 1 failed, 0 terminated, 0 skipped), 0 running, 1 retries");
    Run failed = sandbox("batch", "results", batch, "--failed");
    assertThat(failed.out()).contains(batch + "-1-r2").contains("failed").contains("got bad")
        .doesNotContain(batch + "-0 ");
  }

  @Test
  void cancellingABatchTerminatesItsRunningItems() {
    String batch = unique("c");
    Run run = sandbox("batch", "run", "busybox:1.36", "--name", batch, "--count", "6", "--parallelism", "2",
        "--", "sleep", "600");
    assertThat(run.code()).as(run.err()).isZero();
    // items 0 and 1 start first, once the batch has started its chunk; then wait on them (an
    // update the workflow answers on the phase change)
    awaitCondition(() -> sandbox("get", batch + "-1").code() == ExitCodes.OK, "the batch's second item to exist");
    assertThat(sandbox("wait", batch + "-0", "--for", "running", "--timeout", "2m").code()).isZero();
    assertThat(sandbox("wait", batch + "-1", "--for", "running", "--timeout", "2m").code()).isZero();
    assertThat(sandbox("batch", "status", batch, "--json").json().get("running").asInt()).isEqualTo(2);
    assertThat(sandbox("batch", "cancel", batch).code()).isZero();
    assertThat(sandbox("wait", batch + "-0", "--timeout", "2m").out().trim()).isEqualTo("terminated");
    assertThat(sandbox("wait", batch + "-1", "--timeout", "2m").out().trim()).isEqualTo("terminated");
    awaitCondition(() -> !sandbox("batch", "status", batch, "--json").json().get("state").asText().equals("running"),
        "the batch to close after its items");
    assertThat(sandbox("batch", "status", batch, "--json").json().get("state").asText()).isEqualTo("cancelled");
    JsonNode results = sandbox("batch", "results", batch, "--json").json();
    assertThat(results).hasSize(6);
    assertThat(results.get(5).get("phase").asText()).isEqualTo("skipped");
    assertThat(sandbox("list", "--tag", "batch=" + batch).out().lines().count()).isEqualTo(1);
    assertThat(sandbox("batch", "status", "no-such-batch").code()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  // Streaming, following and attaching: through the in-sandbox agent on Kubernetes, natively
  // on the local runtime.

  /** Stdout that notes when each line arrived. */
  static final class TimedLines extends Writer {
    final List<Long> arrivals = new ArrayList<>();
    final StringBuilder text = new StringBuilder();

    @Override
    public synchronized void write(char[] chars, int off, int len) {
      long now = System.nanoTime();
      for (int i = off; i < off + len; i++) {
        text.append(chars[i]);
        if (chars[i] == '\n') {
          arrivals.add(now);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  @Test
  void execPrintsOutputAsTheCommandWritesIt() {
    String name = idle("exec-stream");
    TimedLines out = new TimedLines();
    StringWriter err = new StringWriter();
    long sent = System.nanoTime();
    int code = SandboxCommand.execute(new String[] {"exec", "--address", address, name, "--",
        "sh", "-c", "for i in 1 2 3; do echo $i; sleep 1; done"}, new PrintWriter(out, true), new PrintWriter(err));
    long ended = System.nanoTime();
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.text.toString()).isEqualTo("1\n2\n3\n");
    List<Double> seconds = out.arrivals.stream().map(t -> (t - sent) / 1e9).toList();
    System.out.printf("exec streaming: lines printed at %s s after the command was sent; the CLI returned at %.2f s%n",
        seconds, (ended - sent) / 1e9);
    // the lines are written a second apart: printed as they come, they arrive about a second
    // apart too; printed from the result, all three would arrive together at the end
    assertThat(seconds.get(1) - seconds.get(0)).as("seconds between lines 1 and 2").isBetween(0.5, 1.5);
    assertThat(seconds.get(2) - seconds.get(1)).as("seconds between lines 2 and 3").isBetween(0.5, 1.5);
    sandbox("terminate", name);
  }

  @Test
  void logsFollowPrintsTheCommandsLinesAsItWritesThemUntilItEnds() {
    String name = unique("follow-live");
    Run created = sandbox("create", "busybox:1.36", "--name", name, "--wait", "--",
        "sh", "-c", "sleep 3; for i in 1 2 3; do echo line $i; sleep 1; done");
    assertThat(created.code()).as(created.err()).isZero();
    TimedLines out = new TimedLines();
    StringWriter err = new StringWriter();
    long sent = System.nanoTime();
    int code = SandboxCommand.execute(new String[] {"logs", "--address", address, "--follow", name},
        new PrintWriter(out, true), new PrintWriter(err));
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.text.toString()).isEqualTo("line 1\nline 2\nline 3\n");
    List<Double> seconds = out.arrivals.stream().map(t -> (t - sent) / 1e9).toList();
    System.out.printf("logs --follow: lines printed at %s s after the command started following%n", seconds);
    // followed, each line comes about a second after the one before; asked for every 2 s, as
    // without the agent, two of them would come together or 2 s apart
    assertThat(seconds.get(1) - seconds.get(0)).as("seconds between lines 1 and 2").isBetween(0.5, 1.5);
    assertThat(seconds.get(2) - seconds.get(1)).as("seconds between lines 2 and 3").isBetween(0.5, 1.5);
  }

  @Test
  void binaryOutputBeyondTheCapStreamsWholeAndTheResultStillArrives() {
    String name = idle("exec-binary");
    // NULs take six bytes each as JSON: a result kept to the cap in bytes would outgrow
    // Temporal's 2 MiB payload limit and be lost
    Run run = sandbox("exec", name, "--", "head", "-c", "3000000", "/dev/zero");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).hasSize(3_000_000);
    assertThat(run.out().chars().allMatch(c -> c == 0)).as("only NULs").isTrue();
    sandbox("terminate", name);
  }

  @Test
  void aDetachedExecIsFollowedByItsIdAndEndsWithItsExitCode() {
    String name = idle("exec-detach");
    Run started = sandbox("exec", name, "--detach", "--", "sh", "-c", "echo one; sleep 1; echo two >&2; exit 5");
    assertThat(started.code()).as(started.err()).isZero();
    String execId = started.out().strip();
    assertThat(execId).matches("[A-Za-z0-9][A-Za-z0-9._-]*");
    Run attached = sandbox("attach", name, execId);
    assertThat(attached.code()).isEqualTo(5);
    assertThat(attached.out()).isEqualTo("one\n");
    assertThat(attached.err()).isEqualTo("two\n");
    // again, later, from any client: the agent keeps the exec
    assertThat(sandbox("attach", name, execId).out()).isEqualTo("one\n");
    assertUsage(sandbox("attach", name, "bad/id"), "execId");
    sandbox("terminate", name);
  }
}
