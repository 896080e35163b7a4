package dev.sandboxes.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Each bad {@code sandboxes.*} value stops start-up with a report naming the property and the rule. */
class WorkerPropertiesBadInputTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(WorkerPropertiesTest.PropertiesOnly.class);

  static Arguments bad(String property, String value, String rule) {
    return Arguments.of(property + "=" + value, property, rule);
  }

  static Stream<Arguments> badProperties() {
    return Stream.of(
        bad("sandboxes.runtime", "docker", "sandboxes.runtime"),
        bad("sandboxes.task-queue", " ", "must not be blank"),
        bad("sandboxes.shutdown-timeout", "-1s", "must be a duration from zero to 1h"),
        bad("sandboxes.shutdown-timeout", "1000000000000d", "must be a duration from zero to 1h"),
        bad("sandboxes.shutdown-timeout", "soon", "Failed to convert"),
        bad("sandboxes.temporal.target", "temporal.example.com", "must be host:port"),
        bad("sandboxes.temporal.namespace", " ", "must not be blank"),
        bad("sandboxes.temporal.tls.ca-cert", "/no/such/ca.pem", "must name a readable file"),
        bad("sandboxes.kubernetes.namespace", "Sandboxes_Prod", "must be a DNS-1123 label"),
        bad("sandboxes.kubernetes.default-cpu", "lots", "must be a Kubernetes quantity such as 500m"),
        bad("sandboxes.kubernetes.default-cpu", "0e5", "must be greater than zero"),
        bad("sandboxes.kubernetes.volume-size", "1Ki0", "must be a Kubernetes quantity"),
        bad("sandboxes.kubernetes.default-memory", "0", "must be greater than zero"),
        bad("sandboxes.kubernetes.exec-output-cap", "0B", "must be between 1B and 2GB"),
        bad("sandboxes.kubernetes.exec-output-cap", "3GB", "must be between 1B and 2GB"),
        bad("sandboxes.kubernetes.exec-output-cap", "lots", "Failed to convert"),
        bad("sandboxes.kubernetes.runtime-class-name", "GVisor", "must be a DNS-1123 subdomain"),
        bad("sandboxes.kubernetes.default-egress", "everything", "must be deny-all, allow-all or a comma-separated list of CIDRs"),
        bad("sandboxes.kubernetes.volume-size", "0Gi", "must be greater than zero"),
        bad("sandboxes.kubernetes.volume-storage-class", "Fast_SSD", "must be a DNS-1123 subdomain"),
        bad("sandboxes.kubernetes.volume-access-mode", "Shared", "must be ReadWriteOnce, ReadWriteMany"),
        bad("sandboxes.kubernetes.volume-helper-image", " ", "must name an image with sh"),
        bad("sandboxes.kubernetes.agent-image", " ", "must name the agent's image"),
        bad("sandboxes.kubernetes.agent-port", "0", "must be a port, 1 to 65535"),
        bad("sandboxes.kubernetes.agent-access", "tunnel", "must be pod-ip or port-forward"),
        bad("sandboxes.kubernetes.agent-clients", "sandboxes-system", "must be NAMESPACE:KEY=VALUE"),
        bad("sandboxes.local.isolation", "chroot", "Failed to convert"),
        bad("sandboxes.local.exec-output-cap", "0B", "must be between 1B and 2GB"),
        bad("sandboxes.versioning.enabled", "maybe", "Failed to convert"),
        bad("sandboxes.versioning.deployment-name", "sandboxes.prod", "must not contain '.' or ':'"),
        bad("sandboxes.versioning.deployment-name", "sandboxes:prod", "must not contain '.' or ':'"),
        bad("sandboxes.versioning.deployment-name", "__sandboxes", "must not start with '__'"),
        bad("sandboxes.versioning.deployment-name", " ", "must not be blank"),
        bad("sandboxes.versioning.deployment-name", "d".repeat(256), "must be at most 255 characters"),
        bad("sandboxes.versioning.build-id", " ", "must not be blank"),
        bad("sandboxes.versioning.build-id", "1.0 beta", "must not contain spaces or control characters"),
        bad("sandboxes.versioning.build-id", "__1.0", "must not start with '__'"),
        bad("sandboxes.versioning.build-id", "b".repeat(256), "must be at most 255 bytes"),
        bad("sandboxes.versioning.set-current", "true",
            "needs sandboxes.versioning.enabled=true: an unversioned worker has no version to make current"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badProperties")
  void isRefusedAtStartUpNamingThePropertyAndRule(String setting, String property, String rule) {
    runner.withPropertyValues(setting).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasStackTraceContaining(property).hasStackTraceContaining(rule);
    });
  }

  static Stream<Arguments> badPools() {
    String ok = "sandboxes.kubernetes.agent-image=sandboxes-agent:1,sandboxes.kubernetes.pools[0].name=small,"
        + "sandboxes.kubernetes.pools[0].image=busybox:1.36,sandboxes.kubernetes.pools[0].size=5";
    return Stream.of(
        Arguments.of(ok.replace("pools[0].name=small", "pools[0].name=Small_Pool"), "sandboxes.kubernetes.pools[0].name",
            "must be a DNS label of at most 30 characters"),
        Arguments.of(ok.replace("pools[0].image=busybox:1.36", "pools[0].image= "), "sandboxes.kubernetes.pools[0].image",
            "must not be blank"),
        Arguments.of(ok.replace("size=5", "size=-1"), "sandboxes.kubernetes.pools[0].size", "must be between 0 and 1000"),
        Arguments.of(ok + ",sandboxes.kubernetes.pools[0].refill-per-minute=0",
            "sandboxes.kubernetes.pools[0].refill-per-minute", "must be at least 1"),
        Arguments.of(ok + ",sandboxes.kubernetes.pools[0].cpu=lots", "sandboxes.kubernetes.pools[0].cpu",
            "must be a Kubernetes quantity"),
        Arguments.of(ok + ",sandboxes.kubernetes.pools[1].name=small,sandboxes.kubernetes.pools[1].image=alpine:3",
            "sandboxes.kubernetes.pools[1].name", "another pool is named small"),
        Arguments.of(ok.replace("sandboxes.kubernetes.agent-image=sandboxes-agent:1,", ""), "sandboxes.kubernetes.pools",
            "warm pools need the in-sandbox agent"));
  }

  @ParameterizedTest(name = "{1}: {2}")
  @MethodSource("badPools")
  void aBadPoolIsRefusedAtStartUpNamingThePropertyAndRule(String settings, String property, String rule) {
    runner.withPropertyValues(settings.split(",")).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasStackTraceContaining(property).hasStackTraceContaining(rule);
    });
  }

  @org.junit.jupiter.api.Test
  void aGoodPoolBinds() {
    runner.withPropertyValues("sandboxes.kubernetes.agent-image=sandboxes-agent:1",
        "sandboxes.kubernetes.pools[0].name=small", "sandboxes.kubernetes.pools[0].image=busybox:1.36",
        "sandboxes.kubernetes.pools[0].size=5", "sandboxes.kubernetes.pools[0].memory=64Mi").run(context -> {
          assertThat(context).hasNotFailed();
          var pools = context.getBean(SandboxesProperties.class).kubernetes().warmPools();
          assertThat(pools).containsExactly(new dev.sandboxes.runtime.kubernetes.WarmPool("small", "busybox:1.36", null,
              "64Mi", 5, 60));
        });
  }
}
