package dev.sandboxes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.runtime.local.IsolationMode;
import io.temporal.common.VersioningBehavior;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.worker.WorkerDeploymentOptions;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;

/** How {@code sandboxes.*} binds, and how a bad value stops startup naming the property. */
class WorkerPropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(SandboxesProperties.class)
  static class PropertiesOnly {
    @Bean(name = "configurationPropertiesValidator")
    static SandboxesPropertiesValidator configurationPropertiesValidator() {
      return WorkerConfiguration.configurationPropertiesValidator();
    }
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class);

  @Test
  void defaultsNeedNoConfiguration() {
    runner.run(context -> {
      SandboxesProperties p = context.getBean(SandboxesProperties.class);
      assertThat(p.temporal().effectiveTarget()).isEqualTo("127.0.0.1:7233");
      assertThat(p.temporal().namespace()).isEqualTo("default");
      assertThat(p.temporal().tlsEnabled()).isFalse();
      assertThat(p.taskQueue()).isEqualTo("sandboxes");
      assertThat(p.runtime()).isEqualTo(RuntimeKind.KUBERNETES);
      assertThat(p.kubernetes().namespace()).isEqualTo("sandboxes");
      assertThat(p.kubernetes().execOutputCap()).isEqualTo(DataSize.ofMegabytes(1));
      assertThat(EgressSetting.parse(p.kubernetes().defaultEgress())).isEqualTo(EgressPolicy.denyAll());
      assertThat(p.local().isolation()).isEqualTo(IsolationMode.AUTO);
    });
  }

  @Test
  void everyPropertyBindsFromTheEnvironment() {
    runner.withInitializer(context -> context.getEnvironment().getPropertySources().replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.ofEntries(
                Map.entry("SANDBOXES_TEMPORAL_TARGET", "my-ns.a1b2c.tmprl.cloud:7233"),
                Map.entry("SANDBOXES_TEMPORAL_NAMESPACE", "my-ns.a1b2c"),
                Map.entry("SANDBOXES_TEMPORAL_API_KEY", "secret-key"),
                Map.entry("SANDBOXES_TASK_QUEUE", "sandboxes-gpu"),
                Map.entry("SANDBOXES_RUNTIME", "local"),
                Map.entry("SANDBOXES_KUBERNETES_DEFAULT_EGRESS", "10.0.0.0/8, 192.168.1.0/24"),
                Map.entry("SANDBOXES_KUBERNETES_EXEC_OUTPUT_CAP", "4MB"),
                Map.entry("SANDBOXES_KUBERNETES_RUNTIME_CLASS_NAME", "gvisor"),
                Map.entry("SANDBOXES_KUBERNETES_VOLUME_SIZE", "5Gi"),
                Map.entry("SANDBOXES_KUBERNETES_VOLUME_STORAGE_CLASS", "fast-ssd"),
                Map.entry("SANDBOXES_KUBERNETES_VOLUME_ACCESS_MODE", "ReadWriteMany"),
                Map.entry("SANDBOXES_KUBERNETES_NETWORK_POLICY_CHECK", "false"),
                Map.entry("SANDBOXES_LOCAL_ISOLATION", "none")))))
        .run(context -> {
          SandboxesProperties p = context.getBean(SandboxesProperties.class);
          assertThat(p.temporal().effectiveTarget()).isEqualTo("my-ns.a1b2c.tmprl.cloud:7233");
          assertThat(p.temporal().namespace()).isEqualTo("my-ns.a1b2c");
          assertThat(p.temporal().apiKey()).isEqualTo("secret-key");
          assertThat(p.temporal().tlsEnabled()).isTrue();
          assertThat(p.taskQueue()).isEqualTo("sandboxes-gpu");
          assertThat(p.runtime()).isEqualTo(RuntimeKind.LOCAL);
          assertThat(EgressSetting.parse(p.kubernetes().defaultEgress()))
              .isEqualTo(EgressPolicy.allow("10.0.0.0/8", "192.168.1.0/24"));
          assertThat(p.kubernetes().execOutputCap()).isEqualTo(DataSize.ofMegabytes(4));
          assertThat(p.kubernetes().runtimeClassName()).isEqualTo("gvisor");
          assertThat(p.kubernetes().volumeSize()).isEqualTo("5Gi");
          assertThat(p.kubernetes().volumeStorageClass()).isEqualTo("fast-ssd");
          assertThat(p.kubernetes().volumeAccessMode()).isEqualTo("ReadWriteMany");
          assertThat(p.kubernetes().networkPolicyCheck()).as("the chart's variable").isFalse();
          assertThat(p.local().isolation()).isEqualTo(IsolationMode.NONE);
        });
  }

  @Test
  void sandboxLimitsAndTheReaperHaveDefaultsAndBind() {
    runner.run(context -> {
      SandboxesProperties p = context.getBean(SandboxesProperties.class);
      assertThat(p.sandbox().limits()).isEqualTo(dev.sandboxes.workflow.SandboxLimits.defaults());
      assertThat(p.reaper().enabled()).isTrue();
      assertThat(p.reaper().interval()).isEqualTo(java.time.Duration.ofSeconds(30));
      assertThat(p.reaper().grace()).isEqualTo(java.time.Duration.ofSeconds(30));
    });
    runner.withPropertyValues("sandboxes.sandbox.max-lifetime=2h", "sandboxes.sandbox.schedule-timeout=90s",
            "sandboxes.sandbox.startup-timeout=3m", "sandboxes.reaper.enabled=false")
        .run(context -> {
          SandboxesProperties p = context.getBean(SandboxesProperties.class);
          assertThat(p.sandbox().limits()).isEqualTo(new dev.sandboxes.workflow.SandboxLimits(
              java.time.Duration.ofHours(2), java.time.Duration.ofSeconds(90), java.time.Duration.ofMinutes(3)));
          assertThat(p.reaper().enabled()).isFalse();
        });
  }

  @Test
  void versioningIsOffByDefaultAndItsVersionIsTheTaskQueueAndTheProjectVersion() {
    runner.run(context -> {
      VersioningProperties v = context.getBean(SandboxesProperties.class).versioning();
      assertThat(v.enabled()).isFalse();
      assertThat(v.setCurrent()).isFalse();
      assertThat(v.effectiveDeploymentName("sandboxes")).isEqualTo("sandboxes");
      // META-INF/build-info.properties, written by the build from the project version
      assertThat(BuildVersion.current()).isNotBlank().doesNotContain("@");
      assertThat(v.effectiveBuildId()).isEqualTo(BuildVersion.current());
      assertThat(WorkerConfiguration.workerOptions(context.getBean(SandboxesProperties.class))
          .getDeploymentOptions()).isNull();
    });
  }

  @Test
  void versioningBindsFromTheEnvironmentAndBecomesTheWorkersDeploymentOptions() {
    runner.withInitializer(context -> context.getEnvironment().getPropertySources().replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                "SANDBOXES_TASK_QUEUE", "sandboxes-gpu",
                "SANDBOXES_VERSIONING_ENABLED", "true",
                "SANDBOXES_VERSIONING_BUILD_ID", "1.4.2+3f9c2ab",
                "SANDBOXES_VERSIONING_SET_CURRENT", "true"))))
        .run(context -> {
          SandboxesProperties p = context.getBean(SandboxesProperties.class);
          assertThat(p.versioning().enabled()).isTrue();
          assertThat(p.versioning().setCurrent()).isTrue();
          WorkerDeploymentOptions options = WorkerConfiguration.workerOptions(p).getDeploymentOptions();
          assertThat(options.isUsingVersioning()).isTrue();
          assertThat(options.getVersion()).isEqualTo(new WorkerDeploymentVersion("sandboxes-gpu", "1.4.2+3f9c2ab"));
          // no default: every workflow type declares its own behaviour
          assertThat(options.getDefaultVersioningBehavior()).isEqualTo(VersioningBehavior.UNSPECIFIED);
        });
    runner.withPropertyValues("sandboxes.versioning.enabled=true", "sandboxes.versioning.deployment-name=sandbox-workers")
        .run(context -> assertThat(WorkerConfiguration.workerOptions(context.getBean(SandboxesProperties.class))
            .getDeploymentOptions().getVersion())
            .isEqualTo(new WorkerDeploymentVersion("sandbox-workers", BuildVersion.current())));
  }

  @Test
  void aTaskQueueThatIsNoDeploymentNameNeedsAnExplicitOneOnlyWhenVersioningIsOn() {
    runner.withPropertyValues("sandboxes.task-queue=sandboxes.gpu")
        .run(context -> assertThat(context).hasNotFailed());
    runner.withPropertyValues("sandboxes.task-queue=sandboxes.gpu", "sandboxes.versioning.enabled=true")
        .run(context -> startupFailure(context)
            .hasStackTraceContaining("sandboxes.versioning.deployment-name")
            .hasStackTraceContaining("must be set: it defaults to sandboxes.task-queue (\"sandboxes.gpu\")")
            .hasStackTraceContaining("must not contain '.' or ':'"));
    runner.withPropertyValues("sandboxes.task-queue=sandboxes.gpu", "sandboxes.versioning.enabled=true",
            "sandboxes.versioning.deployment-name=sandboxes-gpu")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void aLifetimeOrTimeoutOutOfRangeIsRefusedNamingTheProperty() {
    runner.withPropertyValues("sandboxes.sandbox.max-lifetime=400d")
        .run(context -> startupFailure(context).hasStackTraceContaining("sandboxes.sandbox.max-lifetime")
            .hasStackTraceContaining("must be a duration from PT1S to PT8760H"));
    runner.withPropertyValues("sandboxes.sandbox.startup-timeout=0s")
        .run(context -> startupFailure(context).hasStackTraceContaining("sandboxes.sandbox.startup-timeout"));
    runner.withPropertyValues("sandboxes.reaper.interval=1s")
        .run(context -> startupFailure(context).hasStackTraceContaining("sandboxes.reaper.interval")
            .hasStackTraceContaining("from PT10S to PT24H"));
  }

  @Test
  void anUnknownRuntimeIsRefused() {
    runner.withPropertyValues("sandboxes.runtime=docker")
        .run(context -> startupFailure(context).hasStackTraceContaining("sandboxes.runtime")
            .hasStackTraceContaining("docker"));
  }

  @Test
  void anApiKeyWithoutATargetIsRefusedWithoutPrintingTheKey() {
    runner.withPropertyValues("sandboxes.temporal.api-key=super-secret")
        .run(context -> startupFailure(context)
            .hasStackTraceContaining("sandboxes.temporal.target")
            .hasStackTraceContaining("must be set when sandboxes.temporal.api-key is set")
            .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("super-secret")));
  }

  @Test
  void aNamespaceThatIsNotADnsLabelIsRefused() {
    runner.withPropertyValues("sandboxes.kubernetes.namespace=Sandboxes_Prod")
        .run(context -> startupFailure(context)
            .hasStackTraceContaining("sandboxes.kubernetes.namespace")
            .hasStackTraceContaining("must be a DNS-1123 label"));
  }

  @Test
  void aBadVolumeDefaultIsRefusedNamingTheProperty() {
    runner.withPropertyValues("sandboxes.kubernetes.volume-access-mode=Shared", "sandboxes.kubernetes.volume-size=lots")
        .run(context -> startupFailure(context)
            .hasStackTraceContaining("sandboxes.kubernetes.volume-access-mode")
            .hasStackTraceContaining("must be ReadWriteOnce, ReadWriteMany, ReadOnlyMany or ReadWriteOncePod")
            .hasStackTraceContaining("sandboxes.kubernetes.volume-size"));
  }

  @Test
  void aMalformedEgressCidrIsRefused() {
    runner.withPropertyValues("sandboxes.kubernetes.default-egress=10.0.0.0/8,10.1.0.0/33")
        .run(context -> startupFailure(context)
            .hasStackTraceContaining("sandboxes.kubernetes.default-egress")
            .hasStackTraceContaining("10.1.0.0/33"));
  }

  @Test
  void theEgressProxyBindsFromTheChartsVariablesAndReadsItsKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path key = dir.resolve("key");
    java.nio.file.Files.writeString(key, "0123456789abcdef0123456789abcdef\n");
    runner.withInitializer(context -> context.getEnvironment().getPropertySources().replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.ofEntries(
                Map.entry("SANDBOXES_KUBERNETES_EGRESS_PROXY_ADDRESS", "w-egress-proxy.sandboxes-system.svc:3128"),
                Map.entry("SANDBOXES_KUBERNETES_EGRESS_PROXY_NAMESPACE", "sandboxes-system"),
                Map.entry("SANDBOXES_KUBERNETES_EGRESS_PROXY_POD_SELECTOR", "app.kubernetes.io/name=p,app.kubernetes.io/instance=w"),
                Map.entry("SANDBOXES_KUBERNETES_EGRESS_PROXY_PORT", "3129"),
                Map.entry("SANDBOXES_KUBERNETES_EGRESS_PROXY_KEY_FILE", key.toString())))))
        .run(context -> {
          var proxy = context.getBean(SandboxesProperties.class).kubernetes().proxy();
          assertThat(proxy.address()).isEqualTo("w-egress-proxy.sandboxes-system.svc:3128");
          assertThat(proxy.namespace()).isEqualTo("sandboxes-system");
          assertThat(proxy.podLabels()).containsOnly(Map.entry("app.kubernetes.io/name", "p"),
              Map.entry("app.kubernetes.io/instance", "w"));
          assertThat(proxy.port()).isEqualTo(3129);
          // the key as the proxy reads it: the trailing newline is not part of it
          assertThat(proxy.token("s", java.util.List.of("h"), java.time.Instant.ofEpochSecond(100)))
              .isEqualTo(dev.sandboxes.runtime.kubernetes.EgressProxy.of("p:1", "n", "a=b", 1,
                  dev.sandboxes.runtime.kubernetes.EgressProxy.Key.of("0123456789abcdef0123456789abcdef".getBytes()))
                  .token("s", java.util.List.of("h"), java.time.Instant.ofEpochSecond(100)));
        });
    runner.run(context -> assertThat(context.getBean(SandboxesProperties.class).kubernetes().proxy()).isNull());
  }

  @Test
  void theClusterDnsBindsFromTheChartsVariablesAndABadOneIsRefused() {
    runner.withInitializer(context -> context.getEnvironment().getPropertySources().replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.ofEntries(
                Map.entry("SANDBOXES_KUBERNETES_CLUSTER_DNS_PODS", "kube-system:k8s-app=kube-dns"),
                Map.entry("SANDBOXES_KUBERNETES_CLUSTER_DNS_CIDRS", "192.0.2.2/32, 169.254.20.10/32")))))
        .run(context -> {
          var dns = context.getBean(SandboxesProperties.class).kubernetes().clusterDns();
          assertThat(dns.pods().namespace()).isEqualTo("kube-system");
          assertThat(dns.pods().labels()).containsOnly(Map.entry("k8s-app", "kube-dns"));
          assertThat(dns.cidrs()).containsExactly("192.0.2.2/32", "169.254.20.10/32");
        });
    runner.run(context -> assertThat(context.getBean(SandboxesProperties.class).kubernetes().clusterDns()).isNull());
    runner.withPropertyValues("sandboxes.kubernetes.cluster-dns-pods=kube-dns")
        .run(context -> startupFailure(context).hasStackTraceContaining("sandboxes.kubernetes.cluster-dns-pods")
            .hasStackTraceContaining("NAMESPACE:KEY=VALUE"));
    runner.withPropertyValues("sandboxes.kubernetes.cluster-dns-cidrs=allow-all")
        .run(context -> startupFailure(context).hasStackTraceContaining("sandboxes.kubernetes.cluster-dns-cidrs")
            .hasStackTraceContaining("must be a comma-separated list of CIDRs"));
  }

  @Test
  void anIncompleteEgressProxyOrAShortKeyIsRefusedNamingTheProperty(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    runner.withPropertyValues("sandboxes.kubernetes.egress-proxy.address=p.ns.svc:3128")
        .run(context -> startupFailure(context)
            .hasStackTraceContaining("sandboxes.kubernetes.egress-proxy.namespace must be set"));
    java.nio.file.Path key = dir.resolve("short");
    java.nio.file.Files.writeString(key, "too short");
    runner.withPropertyValues("sandboxes.kubernetes.egress-proxy.address=p.ns.svc:3128",
            "sandboxes.kubernetes.egress-proxy.namespace=ns", "sandboxes.kubernetes.egress-proxy.pod-selector=a=b",
            "sandboxes.kubernetes.egress-proxy.key-file=" + key)
        .run(context -> startupFailure(context)
            .hasStackTraceContaining("sandboxes.kubernetes.egress-proxy")
            .hasStackTraceContaining("the egress proxy's key is 9 bytes; at least 32 are required"));
  }

  @Test
  void aClientCertificateWithoutItsKeyIsRefused() {
    runner.withPropertyValues("sandboxes.temporal.target=temporal.example.com:7233",
            "sandboxes.temporal.tls.client-cert=pom.xml")
        .run(context -> startupFailure(context)
            .hasStackTraceContaining("sandboxes.temporal.tls.client-key")
            .hasStackTraceContaining("must be set when sandboxes.temporal.tls.client-cert is set"));
  }

  @Test
  void aTargetWithoutPortIsRefused() {
    runner.withPropertyValues("sandboxes.temporal.target=temporal.example.com")
        .run(context -> startupFailure(context)
            .hasStackTraceContaining("sandboxes.temporal.target")
            .hasStackTraceContaining("must be host:port"));
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void theWorkerApplicationRefusesToStartAndReportsTheProperty(CapturedOutput output) {
    assertThatThrownBy(() -> WorkerApplication.run("--sandboxes.kubernetes.default-egress=everything",
            "--server.port=0", "--spring.main.web-application-type=none"))
        .hasStackTraceContaining("sandboxes.kubernetes.default-egress");
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("Property: sandboxes.kubernetes.default-egress")
        .contains("must be deny-all, allow-all or a comma-separated list of CIDRs");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> startupFailure(AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    return assertThat(context.getStartupFailure());
  }

  private static String stackTrace(Throwable e) {
    var out = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }
}
