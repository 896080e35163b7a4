package dev.sandboxes.spring;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntime;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions;
import dev.sandboxes.runtime.local.LocalRuntime;
import dev.sandboxes.runtime.local.LocalRuntimeOptions;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.spring.boot.TemporalOptionsCustomizer;
import io.temporal.spring.boot.autoconfigure.RootNamespaceAutoConfiguration;
import io.temporal.spring.boot.autoconfigure.TestServerAutoConfiguration;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.worker.WorkerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Sandboxes in an application whose Temporal client and workers come from
 * temporal-spring-boot-starter: a {@link SandboxRuntime} built from {@code sandboxes.*}
 * ({@link SandboxesStarterProperties}), and the {@link SandboxPlugin} over it on the client and
 * worker factory of the root namespace, registering the sandbox workflows and activities on the
 * workers named by {@code sandboxes.task-queues} (all of them by default). Each bean backs off when
 * the application defines its own: a {@code SandboxRuntime} of its own is what the plugin then
 * runs on, and a {@code SandboxPlugin} of its own replaces both the runtime and the plugin.
 *
 * <p>Ordered before Temporal's auto-configuration, which reads the customizers as it builds the
 * client, the worker factory and, with {@code spring.temporal.test-server.enabled}, the test
 * environment. The runtime is closed only after the workers have stopped: Temporal's starter shuts
 * its worker factory down without waiting for running tasks, so {@link SandboxWorkerShutdown} waits
 * for them first (up to {@code sandboxes.shutdown-timeout}).
 */
@AutoConfiguration(before = {RootNamespaceAutoConfiguration.class, TestServerAutoConfiguration.class})
@ConditionalOnClass(TemporalOptionsCustomizer.class)
@EnableConfigurationProperties(SandboxesStarterProperties.class)
public class SandboxesAutoConfiguration {

  /** Created by Spring Boot. */
  public SandboxesAutoConfiguration() {}

  /**
   * The runtime {@code sandboxes.runtime} names. The Kubernetes one reports its requests to the
   * Kubernetes API on Temporal's metrics scope, when the application has one (Micrometer). Backs
   * off when the application defines a {@link SandboxRuntime} or a {@link SandboxPlugin} bean: a
   * plugin of its own carries its own runtime, and one built here would go unused (and could
   * still fail the start, without {@code bwrap} or a cluster to connect to).
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean({SandboxRuntime.class, SandboxPlugin.class})
  public SandboxRuntime sandboxRuntime(SandboxesStarterProperties properties,
      @Qualifier("temporalMetricsScope") ObjectProvider<Scope> temporalMetricsScope) {
    return switch (properties.runtime()) {
      case KUBERNETES -> {
        SandboxesStarterProperties.Kubernetes k = properties.kubernetes();
        yield KubernetesRuntime.connect(KubernetesRuntimeOptions.newBuilder()
            .namespace(k.namespace())
            .defaultCpu(k.defaultCpu())
            .defaultMemory(k.defaultMemory())
            .runtimeClassName(k.runtimeClassName())
            .execOutputCapBytes((int) k.execOutputCap().toBytes())
            .maxLifetime(properties.sandbox().maxLifetime())
            .build(), temporalMetricsScope.getIfAvailable(NoopScope::new));
      }
      case LOCAL -> {
        SandboxesStarterProperties.Local l = properties.local();
        yield new LocalRuntime(LocalRuntimeOptions.newBuilder()
            .root(l.root())
            .isolation(l.isolation())
            .execOutputCapBytes((int) l.execOutputCap().toBytes())
            .build());
      }
    };
  }

  /**
   * Waits for the running tasks of the application's workers when the context closes, before the
   * runtime (the application's own one too) is closed.
   */
  @Bean
  @ConditionalOnMissingBean
  public SandboxWorkerShutdown sandboxWorkerShutdown(ObjectProvider<WorkerFactory> workerFactories,
      SandboxesStarterProperties properties) {
    return new SandboxWorkerShutdown(workerFactories, properties.shutdownTimeout());
  }

  /**
   * The plugin over the application's runtime, for the client of the root namespace (see
   * {@link SandboxPluginCustomizer} for why a customizer). Backs off when the application defines
   * a {@link SandboxPlugin} bean itself, which temporal-spring-boot-starter then attaches (only
   * when it connects to a server, not in its test-server mode).
   */
  @Bean
  @ConditionalOnMissingBean({SandboxPluginCustomizer.class, SandboxPlugin.class})
  public SandboxPluginCustomizer sandboxPluginCustomizer(SandboxRuntime runtime,
      SandboxesStarterProperties properties) {
    return new SandboxPluginCustomizer(
        SandboxPlugin.forRuntime(runtime, properties.taskQueues(), properties.sandbox().limits()));
  }

  /**
   * With {@code spring.temporal.test-server.enabled}: the sandbox search attributes on the test
   * environment's server. The plugin registers missing ones when the worker factory starts, but
   * Temporal's in-process server cannot list them, so there it would not, and every sandbox would
   * fail to start.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(TestEnvironmentOptions.class)
  @ConditionalOnProperty(prefix = "spring.temporal", name = "test-server.enabled", havingValue = "true")
  public static class TestServerSearchAttributes {
    /** Created by Spring Boot. */
    public TestServerSearchAttributes() {}

    /** Registers {@link SearchAttributeKeys#DEFINITIONS} on the test environment. */
    @Bean
    public TemporalOptionsCustomizer<TestEnvironmentOptions.Builder> sandboxSearchAttributesCustomizer() {
      return options -> {
        SearchAttributeKeys.DEFINITIONS.forEach(options::registerSearchAttribute);
        return options;
      };
    }
  }
}
