package dev.sandboxes.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each invalid input with the exact message it earns. */
class SandboxSpecValidationTest {

  static SandboxSpec.Builder valid() {
    return SandboxSpec.builder("busybox:1.36").name("ok").command("sh", "-c", "true");
  }

  static Arguments invalid(String description, UnaryOperator<SandboxSpec.Builder> change, String message) {
    return Arguments.of(description, change, message);
  }

  static Stream<Arguments> invalidSpecs() {
    Map<String, String> manyTags = new HashMap<>();
    IntStream.range(0, 17).forEach(i -> manyTags.put("t" + i, "v"));
    return Stream.of(
        invalid("blank image", b -> b.image(" "), "image: must not be blank"),
        invalid("image with spaces", b -> b.image("busy box"),
            "image: must not contain whitespace, got \"busy box\""),
        invalid("upper-case name", b -> b.name("Web"),
            "name: must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit), got \"Web\""),
        invalid("name ending in a dash", b -> b.name("web-"),
            "name: must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit), got \"web-\""),
        invalid("name too long", b -> b.name("a".repeat(64)),
            "name: must be at most 63 characters, got 64"),
        invalid("empty name", b -> b.name(""), "name: must not be empty"),
        invalid("blank program", b -> b.command(" ", "x"), "command[0]: must not be blank"),
        invalid("null argument", b -> b.args(java.util.Arrays.asList("a", null)),
            "args[1]: must not be null"),
        invalid("env name starting with a digit", b -> b.env("1X", "v"),
            "env[\"1X\"]: name must match [A-Za-z_][A-Za-z0-9_]*"),
        invalid("env name with a dash", b -> b.env("MY-VAR", "v"),
            "env[\"MY-VAR\"]: name must match [A-Za-z_][A-Za-z0-9_]*"),
        invalid("env too large", b -> b.env("BIG", "x".repeat(70_000)),
            "env: must total at most 65536 characters, got 70003"),
        invalid("tag key upper-case", b -> b.tag("Team", "a"),
            "tags[\"Team\"]: key must be at most 63 characters of lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit"),
        invalid("tag value with a space", b -> b.tag("team", "a b"),
            "tags[\"team\"]: value must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit"),
        invalid("too many tags", b -> b.tags(manyTags), "tags: must have at most 16 entries, got 17"),
        invalid("cpu not a quantity", b -> b.cpu("lots"),
            "cpu: must be a Kubernetes quantity such as 500m, 2, 256Mi or 1Gi, got \"lots\""),
        invalid("memory with a bad suffix", b -> b.memory("256MB"),
            "memory: must be a Kubernetes quantity such as 500m, 2, 256Mi or 1Gi, got \"256MB\""),
        invalid("zero memory", b -> b.memory("0Mi"), "memory: must be greater than zero, got \"0Mi\""),
        invalid("zero cpu with an exponent", b -> b.cpu("0e5"), "cpu: must be greater than zero, got \"0e5\""),
        invalid("negative cpu", b -> b.cpu("-1"),
            "cpu: must be a Kubernetes quantity such as 500m, 2, 256Mi or 1Gi, got \"-1\""),
        invalid("relative mount path", b -> b.volume("data", "vol"),
            "volumeMounts[\"data\"]: must be an absolute path, got \"data\""),
        invalid("mount path escaping", b -> b.volume("/data/../etc", "vol"),
            "volumeMounts[\"/data/../etc\"]: must not contain '..', got \"/data/../etc\""),
        invalid("mount at root", b -> b.volume("/", "vol"),
            "volumeMounts[\"/\"]: must not be the root directory"),
        invalid("bad volume name", b -> b.volume("/data", "My_Vol"),
            "volumeMounts[\"/data\"].volume: must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit), got \"My_Vol\""),
        invalid("zero ttl", b -> b.ttl(Duration.ZERO), "ttl: must be positive, got PT0S"),
        invalid("negative ttl", b -> b.ttl(Duration.ofSeconds(-5)), "ttl: must be positive, got PT-5S"),
        invalid("egress host name", b -> b.egress(EgressPolicy.allow("example.com")),
            "egress.allowedCidrs[0]: must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8, got \"example.com\""),
        invalid("egress octet out of range", b -> b.egress(EgressPolicy.allow("10.0.0.300/32")),
            "egress.allowedCidrs[0]: must be a valid IPv4 CIDR, got \"10.0.0.300/32\""),
        invalid("egress prefix too long", b -> b.egress(EgressPolicy.allow("10.0.0.0/33")),
            "egress.allowedCidrs[0]: prefix length must be at most 32, got \"10.0.0.0/33\""),
        invalid("egress IPv6 without an address", b -> b.egress(EgressPolicy.allow(":/64")),
            "egress.allowedCidrs[0]: must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8, got \":/64\""),
        invalid("egress IPv6 with too many groups", b -> b.egress(EgressPolicy.allow("1:2:3:4:5:6:7:8:9/64")),
            "egress.allowedCidrs[0]: must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8, got \"1:2:3:4:5:6:7:8:9/64\""),
        invalid("egress IPv6 with a scope", b -> b.egress(EgressPolicy.allow("fe80::1%eth0/64")),
            "egress.allowedCidrs[0]: must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8, got \"fe80::1%eth0/64\""),
        invalid("egress IPv6 prefix too long", b -> b.egress(EgressPolicy.allow("2001:db8::/129")),
            "egress.allowedCidrs[0]: prefix length must be at most 128, got \"2001:db8::/129\""),
        invalid("relative workdir", b -> b.workdir("work"),
            "workdir: must be an absolute path, got \"work\""),
        invalid("ttl over a year", b -> b.ttl(Duration.ofDays(366)),
            "ttl: must be at most 365 days (PT8760H), got PT8784H"),
        invalid("ttl a trillion days long", b -> b.ttl(Duration.ofDays(1_000_000_000_000L)),
            "ttl: must be at most 365 days (PT8760H), got PT24000000000000H"),
        invalid("memory of 8Ei", b -> b.memory("8Ei"), "memory: must be less than 8Ei, got \"8Ei\""),
        invalid("cpu of 10^19", b -> b.cpu("10E"), "cpu: must be less than 8Ei, got \"10E\""),
        invalid("memory exponent with many digits", b -> b.memory("1e99999999999"),
            "memory: must be less than 8Ei, got \"1e99999999999\""),
        invalid("workdir longer than 4096", b -> b.workdir("/" + "w".repeat(4096)),
            "workdir: must be at most 4096 characters, got 4097"),
        invalid("long image with a space, quoted short", b -> b.image("a b" + "c".repeat(100)),
            "image: must not contain whitespace, got \"a b" + "c".repeat(61) + "...\" (103 characters)"),
        invalid("101 egress CIDRs", b -> b.egress(new EgressPolicy(false, java.util.Collections.nCopies(101, "10.0.0.0/8"))),
            "egress.allowedCidrs: must have at most 100 entries, got 101"),
        invalid("a null egress CIDR", b -> b.egress(EgressPolicy.allow("10.0.0.0/8", null)),
            "egress.allowedCidrs[1]: must not be null"),
        invalid("an egress host given as a URL", b -> b.egress(EgressPolicy.allowHosts("https://pypi.org")),
            "egress.allowedHosts[0]: port must be a number from 1 to 65535, got \"https://pypi.org\""),
        invalid("an egress host with a path", b -> b.egress(EgressPolicy.allowHosts("pypi.org/simple")),
            "egress.allowedHosts[0]: must be host, host:port, *.domain or *.domain:port (or an IP address, "
                + "[IPv6]:port), such as api.example.com or *.example.org:443, got \"pypi.org/simple\""),
        invalid("an egress host with a stray star", b -> b.egress(EgressPolicy.allowHosts("api.*.org")),
            "egress.allowedHosts[0]: must be host, host:port, *.domain or *.domain:port (or an IP address, "
                + "[IPv6]:port), such as api.example.com or *.example.org:443, got \"api.*.org\""),
        invalid("an egress host with port 0", b -> b.egress(EgressPolicy.allowHosts("pypi.org:0")),
            "egress.allowedHosts[0]: port must be a number from 1 to 65535, got \"pypi.org:0\""),
        invalid("an egress host with port 65536", b -> b.egress(EgressPolicy.allowHosts("pypi.org:65536")),
            "egress.allowedHosts[0]: port must be a number from 1 to 65535, got \"pypi.org:65536\""),
        invalid("an egress host with an overflowing port", b -> b.egress(EgressPolicy.allowHosts("pypi.org:99999999999")),
            "egress.allowedHosts[0]: port must be a number from 1 to 65535, got \"pypi.org:99999999999\""),
        invalid("a bracketed name", b -> b.egress(EgressPolicy.allowHosts("[pypi.org]:443")),
            "egress.allowedHosts[0]: only an IPv6 address goes in brackets, got \"[pypi.org]:443\""),
        invalid("a wildcard over an address", b -> b.egress(EgressPolicy.allowHosts("*.10.0.0.1")),
            "egress.allowedHosts[0]: a wildcard goes over a domain name, not an address, got \"*.10.0.0.1\""),
        invalid("an empty egress host", b -> b.egress(EgressPolicy.allowHosts("")),
            "egress.allowedHosts[0]: must be host, host:port, *.domain or *.domain:port (or an IP address, "
                + "[IPv6]:port), such as api.example.com or *.example.org:443, got \"\""),
        invalid("an egress host in fullwidth digits", b -> b.egress(EgressPolicy.allowHosts("\uff11.\uff12.\uff13.\uff14")),
            "egress.allowedHosts[0]: must be host, host:port, *.domain or *.domain:port (or an IP address, "
                + "[IPv6]:port), such as api.example.com or *.example.org:443, got \"\uff11.\uff12.\uff13.\uff14\""),
        invalid("an egress host with a space", b -> b.egress(EgressPolicy.allowHosts("pypi.org ")),
            "egress.allowedHosts[0]: must be host, host:port, *.domain or *.domain:port (or an IP address, "
                + "[IPv6]:port), such as api.example.com or *.example.org:443, got \"pypi.org \""),
        invalid("an egress CIDR in fullwidth digits", b -> b.egress(EgressPolicy.allow("\uff11\uff10.0.0.0/8")),
            "egress.allowedCidrs[0]: must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8, got \"\uff11\uff10.0.0.0/8\""),
        invalid("a null egress host", b -> b.egress(EgressPolicy.allowHosts("pypi.org", null)),
            "egress.allowedHosts[1]: must not be null"),
        invalid("101 egress hosts", b -> b.egress(EgressPolicy.allowHosts(java.util.Collections.nCopies(101, "a.org").toArray(String[]::new))),
            "egress.allowedHosts: must have at most 100 entries, got 101"),
        invalid("hosts and unrestricted egress", b -> b.egress(new EgressPolicy(true, List.of(), List.of("pypi.org"))),
            "egress: unrestricted and allowedHosts are mutually exclusive"));
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"pypi.org", "PyPI.org.", "pypi.org:443", "*.example.org",
      "*.example.org:8443", "files_1.example-2.org", "10.0.0.1", "10.0.0.1:80", "2001:db8::1", "[2001:db8::1]:443",
      "localhost"})
  void eachFormOfAnEgressHostIsValid(String host) {
    assertThat(valid().egress(EgressPolicy.allowHosts(host)).build().violations()).isEmpty();
    assertThat(EgressPolicy.allowHosts(host).deniesAll()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void invalidSpecIsRejectedWithAPreciseMessage(String description,
      UnaryOperator<SandboxSpec.Builder> change, String message) {
    SandboxSpec spec = change.apply(valid()).build();
    assertThat(spec.violations()).extracting(Violation::toString).containsExactly(message);
    assertThatThrownBy(spec::validated)
        .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.INVALID_SPEC);
          assertThat(e.getMessage()).isEqualTo("invalid sandbox spec: " + message);
        });
  }

  @Test
  void everyBrokenRuleIsReportedAtOnce() {
    SandboxSpec spec = valid().name("Bad").cpu("x").ttl(Duration.ZERO).build();
    assertThat(spec.violations()).extracting(Violation::field).containsExactly("name", "cpu", "ttl");
  }

  @Test
  void aTtlOfExactlyTheMaximumIsValid() {
    assertThat(valid().ttl(SandboxSpec.MAX_TTL).build().violations()).isEmpty();
  }

  @Test
  void aFullValidSpecHasNoViolations() {
    SandboxSpec spec = valid().env("GREETING", "hi").tag("team", "infra").cpu("500m")
        .memory("256Mi").volume("/data", "dataset").ttl(Duration.ofMinutes(5))
        .egress(EgressPolicy.allow("10.0.0.0/8", "2001:db8::/32", "::ffff:10.0.0.0/104")).workdir("/work").build();
    assertThat(spec.violations()).isEmpty();
    assertThat(spec.validated()).isSameAs(spec);
  }

  @Test
  void quantitiesAcceptEveryKubernetesForm() {
    for (String q : new String[] {"1", "0.5", "500m", "2k", "1Gi", "256Mi", "1e3", "1.5Gi", "7Ei", "1E", "9e18", "1e-3"}) {
      assertThat(valid().cpu(q).build().violations()).as(q).isEmpty();
    }
  }

  @Test
  void aSpecWithoutCommandIdles() {
    SandboxSpec spec = SandboxSpec.builder("busybox:1.36").build();
    assertThat(spec.idles()).isTrue();
    assertThat(spec.effectiveCommand()).isEqualTo(SandboxSpec.IDLE_COMMAND);
    assertThat(spec.violations()).isEmpty();
  }

  static Stream<Arguments> invalidExecs() {
    return Stream.of(
        Arguments.of(new ExecRequest(java.util.List.of(), null, null, null, null), "argv: must not be empty"),
        Arguments.of(ExecRequest.of("ls").withTimeout(Duration.ZERO), "timeout: must be positive, got PT0S"),
        Arguments.of(ExecRequest.of("ls").withTimeout(Duration.ofHours(7)), "timeout: must be at most PT6H, got PT7H"),
        Arguments.of(ExecRequest.of("ls").withWorkdir("tmp"), "workdir: must be an absolute path, got \"tmp\""),
        Arguments.of(ExecRequest.of("ls").withEnv("A B", "x"), "env[\"A B\"]: name must match [A-Za-z_][A-Za-z0-9_]*"),
        Arguments.of(ExecRequest.of("cat").withStdin("x".repeat(ExecRequest.MAX_STDIN_CHARS + 1)),
            "stdin: must be at most 1048576 characters, got 1048577"));
  }

  @ParameterizedTest
  @MethodSource("invalidExecs")
  void invalidExecRequestIsRejectedWithAPreciseMessage(ExecRequest request, String message) {
    assertThat(request.violations()).extracting(Violation::toString).containsExactly(message);
    assertThatThrownBy(request::validated).isInstanceOf(InvalidSpecException.class)
        .hasMessage("invalid exec request: " + message);
  }

  @Test
  void logTailIsBounded() {
    assertThatThrownBy(() -> LogRequest.lastLines(0).validated())
        .hasMessage("invalid log request: tail: must be between 1 and 5000, got 0");
    assertThatThrownBy(() -> LogRequest.lastLines(5001).validated())
        .hasMessage("invalid log request: tail: must be between 1 and 5000, got 5001");
  }

  @Test
  void generatedNamesAreValidLabels() {
    for (int i = 0; i < 100; i++) {
      String name = SandboxNames.generate(java.util.UUID.randomUUID());
      assertThat(name).matches("sbx-[a-z0-9]{12}");
      assertThat(SandboxNames.valid(name)).isEqualTo(name);
    }
  }
}
