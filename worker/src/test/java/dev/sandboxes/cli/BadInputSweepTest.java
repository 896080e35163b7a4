package dev.sandboxes.cli;

import static dev.sandboxes.cli.SandboxCliTest.sandboxAt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.cli.SandboxCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input the {@code sandbox} command line can be given, against one embedded stack: each
 * gets its documented exit code and one line on stderr naming the field and the rule, prints
 * nothing on stdout, and spends no name. Placeholders in a case's arguments: {@code {N}} a fresh
 * name, {@code {R}} a running sandbox, {@code {E}} a sandbox that has ended, {@code {V}} a ready
 * volume, {@code {FILE:x}} one of the files made for the sweep.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputSweepTest {
  static final String MB3 = "x".repeat(3_000_000);

  static EmbeddedStack stack;
  static String running;
  static String ended;
  static String volume;
  static Path files;
  /** Names that bad creates carried: none may be spent. */
  static final List<String[]> unspent = Collections.synchronizedList(new ArrayList<>());

  /** One bad command line; {@code checkUnspent} is the command that must then find nothing. */
  record Case(String name, List<String> args, int exit, String field, String rule, List<String> checkUnspent) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void startStackAndFixtures(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    stack = EmbeddedStack.start(DemoCommand.freePort(), "local");
    files = dir;
    running = unique("sweep-run");
    assertOk(run("create", "busybox:1.36", "--name", running, "--wait"));
    ended = unique("sweep-done");
    assertOk(run("create", "busybox:1.36", "--name", ended, "--", "true"));
    assertOk(run("wait", ended, "--timeout", "1m"));
    volume = unique("sweep-vol");
    assertOk(run("volume", "create", volume, "--size", "64Mi"));
    Files.writeString(dir.resolve("small.txt"), "hello\n");
    Files.write(dir.resolve("two-mib.bin"), new byte[2 * 1024 * 1024]);
    Files.write(dir.resolve("too-many-lines.txt"),
        IntStream.rangeClosed(0, 100_000).mapToObj(i -> "item-" + i).toList());
    Files.write(dir.resolve("three-mb-of-inputs.txt"),
        IntStream.range(0, 100).mapToObj(i -> "y".repeat(30_000)).toList());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      run("terminate", running);
      run("volume", "delete", volume);
      stack.shutdown();
    }
  }

  static Run run(String... args) {
    return sandboxAt(stack.address(), args);
  }

  static void assertOk(Run run) {
    assertThat(run.code()).as(run.err()).isZero();
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static Arguments usage(String name, String field, String rule, String... args) {
    return of(name, ExitCodes.USAGE, field, rule, args);
  }

  /** {@code sandbox create busybox:1.36 --name {N} FLAGS...}, refused with exit 2. */
  static Arguments create(String name, String field, String rule, String... flags) {
    return usage(name, field, rule, Stream.concat(Stream.of("create", "busybox:1.36", "--name", "{N}"),
        Stream.of(flags)).toArray(String[]::new));
  }

  /** {@code sandbox batch run busybox:1.36 --name {N} FLAGS... -- true}, refused with exit 2. */
  static Arguments batch(String name, String field, String rule, String... flags) {
    return usage(name, field, rule, Stream.of(Stream.of("batch", "run", "busybox:1.36", "--name", "{N}"),
        Stream.of(flags), Stream.of("--", "true")).flatMap(a -> a).toArray(String[]::new));
  }

  static Arguments of(String name, int exit, String field, String rule, String... args) {
    List<String> unspentCheck = List.of();
    List<String> argv = List.of(args);
    if (argv.contains("{N}")) {
      unspentCheck = switch (args[0]) {
        case "volume" -> List.of("volume", "get", "{N}");
        case "batch" -> List.of("batch", "status", "{N}");
        default -> List.of("get", "{N}");
      };
    }
    return Arguments.of(new Case(name, argv, exit, field, rule, unspentCheck));
  }

  static Stream<Arguments> badCommandLines() {
    String dnsLabel = "must be a DNS-1123 label";
    String quantity = "must be a Kubernetes quantity such as 500m, 2, 256Mi or 1Gi";
    List<String> manyTags = new ArrayList<>();
    IntStream.range(0, 17).forEach(i -> manyTags.addAll(List.of("--tag", "t" + i + "=v")));
    return Stream.of(
        // --- create: names, images, quantities, durations, env, tags, mounts, paths, sizes
        create("create: cpu that is not a quantity", "cpu", quantity + ", got \"lots\"",
            "--cpu", "lots"),
        create("create: an allowed CIDR that is none", "egress.allowedCidrs[1]",
            "must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8, got \"example.com\"",
            "--allow-cidr", "10.0.0.0/8", "--allow-cidr", "example.com"),
        create("create: a prefix too long", "egress.allowedCidrs[0]", "prefix length must be at most 32, got \"10.0.0.0/33\"",
            "--allow-cidr", "10.0.0.0/33"),
        create("create: CIDRs and all egress at once", "egress", "--allow-cidr and --allow-all-egress exclude each other",
            "--allow-cidr", "10.0.0.0/8", "--allow-all-egress"),
        create("create: an allowed host given as a URL", "egress.allowedHosts[1]",
            "port must be a number from 1 to 65535, got \"https://pypi.org\"",
            "--allow-host", "pypi.org", "--allow-host", "https://pypi.org"),
        create("create: hosts and all egress at once", "egress", "--allow-host and --allow-all-egress exclude each other",
            "--allow-host", "pypi.org", "--allow-all-egress"),
        create("create: zero memory", "memory", "must be greater than zero, got \"0Mi\"",
            "--memory", "0Mi"),
        create("create: memory beyond what Kubernetes holds", "memory", "must be less than 8Ei, got \"100Ei\"",
            "--memory", "100Ei"),
        create("create: cpu of 1e400", "cpu", "must be less than 8Ei, got \"1e400\"",
            "--cpu", "1e400"),
        usage("create: upper-case name", "name", dnsLabel + " (lower-case letters, digits and '-', starting and "
            + "ending with a letter or digit), got \"Bad_Name\"", "create", "busybox:1.36", "--name", "Bad_Name"),
        usage("create: 64-character name", "name", "must be at most 63 characters, got 64",
            "create", "busybox:1.36", "--name", "a".repeat(64)),
        usage("create: 3 MB name", "name", "must be at most 63 characters, got 3000000",
            "create", "busybox:1.36", "--name", MB3),
        usage("create: blank image", "image", "must not be blank", "create", " ", "--name", "{N}"),
        usage("create: image with a space", "image", "must not contain whitespace, got \"busy box\"",
            "create", "busy box", "--name", "{N}"),
        usage("create: 600-character image", "image", "must be at most 512 characters, got 600",
            "create", "i".repeat(600), "--name", "{N}"),
        create("create: ttl of a trillion days", "--ttl", "must be at most 365d, got '1000000000000d'",
            "--ttl", "1000000000000d"),
        create("create: ttl of 400 days", "--ttl", "must be at most 365d, got '400d'",
            "--ttl", "400d"),
        create("create: ttl with more digits than a long", "--ttl", "must be at most 365d",
            "--ttl", "99999999999999999999s"),
        create("create: ISO ttl beyond a year", "--ttl", "must be at most 365d, got 'P999999999D'",
            "--ttl", "P999999999D"),
        create("create: zero ttl", "--ttl", "must be a positive duration, got '0s'",
            "--ttl", "0s"),
        create("create: ttl that is not a duration", "--ttl", "must be a duration such as 30s, 5m, 1h30m or PT5M",
            "--ttl", "5x"),
        create("create: wait timeout beyond a year", "--wait-timeout", "must be at most 365d",
            "--wait", "--wait-timeout", "1000000000000d"),
        create("create: env name starting with a digit", "env[\"1X\"]", "name must match [A-Za-z_][A-Za-z0-9_]*",
            "-e", "1X=v"),
        create("create: env without a value", "--env", "should be in KEY=VALUE format",
            "-e", "NOVALUE"),
        create("create: 3 MB of env", "env", "must total at most 65536 characters, got 3000003",
            "-e", "BIG=" + MB3),
        create("create: upper-case tag key", "tags[\"Team\"]", "key must be at most 63 characters",
            "--tag", "Team=a"),
        create("create: tag value with a space", "tags[\"team\"]", "value must be at most 63 characters",
            "--tag", "team=a b"),
        create("create: 17 tags", "tags", "must have at most 16 entries, got 17", manyTags.toArray(String[]::new)),
        create("create: relative mount path", "volumeMounts[\"data\"]", "must be an absolute path, got \"data\"",
            "--volume", "data={V}"),
        create("create: mount path with ..", "volumeMounts[\"/data/../etc\"]", "must not contain '..'",
            "--volume", "/data/../etc={V}"),
        create("create: mount at the root", "volumeMounts[\"/\"]", "must not be the root directory",
            "--volume", "/={V}"),
        create("create: 5000-character mount path", "volumeMounts[", "must be at most 4096 characters, got 5001",
            "--volume", "/" + "p".repeat(5000) + "={V}"),
        create("create: volume name that is not a label", "volumeMounts[\"/data\"].volume", dnsLabel,
            "--volume", "/data=My_Vol"),
        create("create: unknown volume", "volumeMounts[\"/data\"]", "no volume named \"no-such-volume\"",
            "--volume", "/data=no-such-volume"),
        create("create: relative workdir", "workdir", "must be an absolute path, got \"work\"",
            "--workdir", "work"),
        create("create: 3 MB workdir", "workdir", "must be at most 4096 characters, got 3000001",
            "--workdir", "/" + MB3),
        create("create: 3 MB command", "command", "must total at most 65536 characters, got 3000004",
            "--", "sh", "-c", MB3),
        create("create: blank program", "command[0]", "must not be blank",
            "--", " ", "x"),
        usage("create: no image", "IMAGE", "Missing required parameter: 'IMAGE'", "create"),
        usage("create: unknown option", "--bogus", "Unknown option: '--bogus'", "create", "busybox:1.36", "--bogus"),

        // --- exec, logs, get, wait: requests, unknown sandboxes, wrong phases
        usage("exec: timeout over 6 hours", "timeout", "must be at most PT6H, got PT7H",
            "exec", "{R}", "--timeout", "7h", "--", "true"),
        usage("exec: timeout of 10^14 days", "--timeout", "must be at most 365d",
            "exec", "{R}", "--timeout", "99999999999999d", "--", "true"),
        usage("exec: relative workdir", "workdir", "must be an absolute path, got \"tmp\"",
            "exec", "{R}", "--workdir", "tmp", "--", "true"),
        usage("exec: env name with a space", "env[\"A B\"]", "name must match",
            "exec", "{R}", "-e", "A B=x", "--", "true"),
        usage("exec: 3 MB argv", "argv", "must total at most 65536 characters, got 3000004",
            "exec", "{R}", "--", "echo", MB3),
        usage("exec: no command", "CMD", "Missing required parameter: 'CMD'", "exec", "{R}"),
        usage("exec: name that is not a label", "name", dnsLabel, "exec", "Bad_Name", "--", "true"),
        of("exec: a sandbox that ended", ExitCodes.WRONG_PHASE, "exec", "exec needs a running sandbox",
            "exec", "{E}", "--", "true"),
        of("exec: unknown sandbox", ExitCodes.NOT_FOUND, "no-such", "no sandbox named \"no-such\"",
            "exec", "no-such", "--", "true"),
        usage("logs: tail 0", "tail", "must be between 1 and 5000, got 0", "logs", "{R}", "--tail", "0"),
        usage("logs: tail 5001", "tail", "must be between 1 and 5000, got 5001", "logs", "{E}", "--tail", "5001"),
        usage("logs: tail beyond an int", "--tail", "'99999999999' is not an int", "logs", "{R}", "--tail", "99999999999"),
        usage("logs: since a trillion days", "--since", "must be at most 365d", "logs", "{R}", "--since", "1000000000000d"),
        of("logs: unknown sandbox", ExitCodes.NOT_FOUND, "no-such", "no sandbox named \"no-such\"", "logs", "no-such"),
        of("get: unknown sandbox", ExitCodes.NOT_FOUND, "no-such", "no sandbox named \"no-such\"", "get", "no-such"),
        usage("get: 3 MB name", "name", "must be at most 63 characters, got 3000000", "get", MB3),
        usage("wait: unknown target", "--for", "expected one of [running, done]", "wait", "{R}", "--for", "sleeping"),
        usage("wait: zero timeout", "--timeout", "must be a positive duration", "wait", "{R}", "--timeout", "0s"),
        of("wait: running on a sandbox that ended", ExitCodes.WRONG_PHASE, "{E}", "is succeeded and will not run",
            "wait", "{E}", "--for", "running"),
        of("wait: unknown sandbox", ExitCodes.NOT_FOUND, "no-such", "no sandbox named \"no-such\"", "wait", "no-such"),

        // --- list, terminate
        usage("list: unknown phase", "phase", "phase must be one of queued, creating", "list", "--phase", "sleeping"),
        usage("list: tag without a value", "--tag", "should be in KEY=VALUE format", "list", "--tag", "team"),
        usage("terminate: nothing named", "names", "give sandbox names, or --tag/--phase/--all, but not both",
            "terminate"),
        usage("terminate: names and --all", "names", "give sandbox names, or --tag/--phase/--all, but not both",
            "terminate", "{R}", "--all"),
        usage("terminate: 3 MB reason", "--reason", "must be at most 1024 characters, got 3000000",
            "terminate", "{R}", "--reason", MB3),
        usage("terminate: unknown phase", "--phase", "phase must be one of", "terminate", "--phase", "gone"),
        of("terminate: unknown sandbox", ExitCodes.NOT_FOUND, "no-such", "no sandbox named \"no-such\"",
            "terminate", "no-such"),

        // --- volumes: names, sizes, paths, offsets, unknown volumes
        usage("volume create: name that is not a label", "name", dnsLabel, "volume", "create", "Not_A_Label"),
        usage("volume create: size that is not a quantity", "size", "must be a Kubernetes quantity", "volume",
            "create", "{N}", "--size", "lots"),
        usage("volume create: zero size", "size", "must be greater than zero, got \"0\"",
            "volume", "create", "{N}", "--size", "0"),
        usage("volume create: unknown access mode", "accessMode", "must be ReadWriteOnce, ReadWriteMany",
            "volume", "create", "{N}", "--access-mode", "Shared"),
        usage("volume create: timeout beyond a year", "--timeout", "must be at most 365d",
            "volume", "create", "{N}", "--timeout", "1000000000000d"),
        of("volume create: a name that exists", ExitCodes.OPERATIONAL, "{V}", "already exists",
            "volume", "create", "{V}"),
        of("volume get: unknown volume", ExitCodes.NOT_FOUND, "no-such-volume", "no volume named \"no-such-volume\"",
            "volume", "get", "no-such-volume"),
        of("volume delete: unknown volume", ExitCodes.NOT_FOUND, "no-such-volume", "no volume named",
            "volume", "delete", "no-such-volume"),
        of("volume ls: unknown volume", ExitCodes.NOT_FOUND, "no-such-volume", "no volume named",
            "volume", "ls", "no-such-volume"),
        usage("volume ls: relative path", "path", "must be absolute (start with /), got \"etc\"", "volume", "ls", "{V}", "etc"),
        usage("volume read: path escaping with ..", "path", "must not contain \"..\" segments",
            "volume", "read", "{V}", "/../etc/passwd"),
        usage("volume read: path with a newline", "path", "must not contain NUL or newline characters",
            "volume", "read", "{V}", "/a\nb"),
        usage("volume read: 5000-byte path", "path", "must be at most 4096 bytes long",
            "volume", "read", "{V}", "/" + "p".repeat(5000)),
        usage("volume read: negative offset", "--offset", "must be 0 or more, got -1",
            "volume", "read", "{V}", "/f", "--offset", "-1"),
        usage("volume read: offset beyond a long", "--offset", "'99999999999999999999' is not a long",
            "volume", "read", "{V}", "/f", "--offset", "99999999999999999999"),
        usage("volume read: negative length", "--length", "must be 1 or more, got -5",
            "volume", "read", "{V}", "/f", "--length", "-5"),
        usage("volume read: zero length", "--length", "must be 1 or more, got 0",
            "volume", "read", "{V}", "/f", "--length", "0"),
        usage("volume write: 2 MiB file", "data", "must be at most 1048576 bytes (1 MiB) per write",
            "volume", "write", "{V}", "/big.bin", "--file", "{FILE:two-mib.bin}"),
        usage("volume write: the volume's root", "path", "must name a file below the volume's root",
            "volume", "write", "{V}", "/", "--file", "{FILE:small.txt}"),
        usage("volume write: missing local file", "--file", "must be a readable file",
            "volume", "write", "{V}", "/a.txt", "--file", "{FILE:no-such-file}"),
        usage("volume mv: target escaping with ..", "to", "must not contain \"..\" segments",
            "volume", "mv", "{V}", "/a", "/../b"),

        // --- batches: counts, parallelism, retry rules, oversized payloads, unknown batches
        batch("batch run: 10,000,000 items", "count", "must give 1 to 100000 items, got 10000000",
            "--count", "10000000"),
        batch("batch run: zero items", "count", "must give 1 to 100000 items, got 0",
            "--count", "0"),
        batch("batch run: negative count", "count", "must give 1 to 100000 items, got -5",
            "--count", "-5"),
        batch("batch run: neither count nor inputs", "count", "a template needs either count or inputs, not neither"),
        batch("batch run: both count and inputs", "count", "a template needs either count or inputs, not both",
            "--count", "2", "--input", "a"),
        batch("batch run: parallelism 0", "parallelism", "must be between 1 and 1000, got 0",
            "--count", "2", "--parallelism", "0"),
        batch("batch run: parallelism 5000", "parallelism", "must be between 1 and 1000, got 5000",
            "--count", "2", "--parallelism", "5000"),
        usage("batch run: parallelism beyond an int", "--parallelism", "'99999999999' is not an int",
            "batch", "run", "busybox:1.36", "--count", "2", "--parallelism", "99999999999", "--", "true"),
        batch("batch run: retries 2147483647", "--retries", "must be between 0 and 9, got 2147483647",
            "--count", "2", "--retries", "2147483647"),
        batch("batch run: retries -1", "--retries", "must be between 0 and 9, got -1",
            "--count", "2", "--retries", "-1"),
        batch("batch run: retry on exit:x", "retry.retryOn", "entries are phases, reasons or exit:N, got \"exit:x\"",
            "--count", "2", "--retry-on", "exit:x"),
        batch("batch run: 201 tail lines", "tailLines", "must be between 0 and 200, got 201",
            "--count", "2", "--tail", "201"),
        usage("batch run: 41-character name", "name", "must be at most 40 characters, got 41",
            "batch", "run", "busybox:1.36", "--name", "b".repeat(41), "--count", "2", "--", "true"),
        batch("batch run: template cpu that is not a quantity", "template.cpu", quantity,
            "--count", "2", "--cpu", "lots"),
        batch("batch run: missing inputs file", "--inputs-file", "must be a readable text file",
            "--inputs-file", "{FILE:no-such-file}"),
        batch("batch run: inputs file of 100,001 lines", "--inputs-file", "must hold at most 100000 items",
            "--inputs-file", "{FILE:too-many-lines.txt}"),
        batch("batch run: one input of 40,000 characters", "inputs[0]", "must be set and at most 32768 characters",
            "--input", "z".repeat(40_000)),
        batch("batch run: 3 MB of inputs", "inputs", "must serialize to at most 1048576 bytes",
            "--inputs-file", "{FILE:three-mb-of-inputs.txt}"),
        usage("batch run: wait timeout beyond a year", "--wait-timeout", "must be at most 365d",
            "batch", "run", "busybox:1.36", "--count", "1", "--wait", "--wait-timeout", "1000000000000d", "--", "true"),
        usage("batch status: name that is not a label", "name", dnsLabel, "batch", "status", "Bad_Batch"),
        of("batch status: unknown batch", ExitCodes.NOT_FOUND, "no-such-batch", "no batch named \"no-such-batch\"",
            "batch", "status", "no-such-batch"),
        of("batch results: unknown batch", ExitCodes.NOT_FOUND, "no-such-batch", "no batch named",
            "batch", "results", "no-such-batch"),
        of("batch cancel: unknown batch", ExitCodes.NOT_FOUND, "no-such-batch", "no batch named",
            "batch", "cancel", "no-such-batch"),

        // --- the command itself and the worker's configuration
        usage("an unknown command", "nonsense", "Unmatched argument", "nonsense"),
        usage("worker: unknown runtime", "sandboxes.runtime", "invalid worker configuration",
            "worker", "--sandboxes.runtime=docker", "--server.port=0"));
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("badCommandLines")
  void isRefusedWithOneLineNamingTheFieldAndRule(Case c) {
    String fresh = unique("sweep");
    List<String> args = c.args().stream().map(a -> resolve(a, fresh)).toList();
    Run run = run(args.toArray(String[]::new));

    assertThat(run.code()).as(run.err()).isEqualTo(c.exit());
    assertThat(run.err().lines().toList()).as("stderr is one line").hasSize(1);
    String line = run.err().lines().findFirst().orElseThrow();
    assertThat(line).startsWith("sandbox: ").contains(resolve(c.field(), fresh)).contains(resolve(c.rule(), fresh));
    assertThat(line).as("no stack trace, no internals").doesNotContain("Exception", "\tat ");
    assertThat(line.length()).as("a short line").isLessThan(600);
    if (c.exit() == ExitCodes.USAGE) {
      assertThat(run.out()).as("nothing printed on stdout").isEmpty();
    }
    if (!c.checkUnspent().isEmpty()) {
      String[] check = c.checkUnspent().stream().map(a -> resolve(a, fresh)).toArray(String[]::new);
      Run lookup = run(check);
      assertThat(lookup.code()).as("no workflow for " + fresh + ": " + lookup.err()).isEqualTo(ExitCodes.NOT_FOUND);
      unspent.add(check);
    }
  }

  /** A refused name was never spent: a valid create, volume or batch of that name succeeds. */
  @Order(2)
  @Test
  void everyRefusedNameCanStillBeUsed() {
    assertThat(unspent).as("the sweep ran first").isNotEmpty();
    for (String[] check : unspent) {
      String name = check[check.length - 1];
      Run created = switch (check[0]) {
        case "volume" -> run("volume", "create", name, "--no-wait");
        case "batch" -> run("batch", "run", "busybox:1.36", "--name", name, "--count", "1", "--", "true");
        default -> run("create", "busybox:1.36", "--name", name, "--", "true");
      };
      assertThat(created.code()).as(String.join(" ", check) + ": " + created.err()).isZero();
      assertThat(created.out().trim()).isEqualTo(name);
      if (check[0].equals("volume")) {
        assertOk(run("volume", "delete", name));
      }
    }
  }

  /** The cases aimed at the running sandbox left it running: a refused request changes nothing. */
  @Order(3)
  @Test
  void theRunningSandboxIsStillRunning() {
    Run get = run("get", running, "--json");
    assertThat(get.json().get("phase").asText()).isEqualTo("running");
    assertThat(run("exec", running, "--", "echo", "ok").out()).isEqualTo("ok\n");
  }

  private static String resolve(String arg, String fresh) {
    String resolved = arg.replace("{N}", fresh).replace("{R}", running).replace("{E}", ended)
        .replace("{V}", volume);
    if (resolved.startsWith("{FILE:")) {
      return files.resolve(resolved.substring(6, resolved.length() - 1)).toString();
    }
    return resolved;
  }
}
