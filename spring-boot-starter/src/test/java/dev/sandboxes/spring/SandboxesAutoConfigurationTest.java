package dev.sandboxes.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.longThat;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.local.LocalRuntime;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.spring.boot.TemporalOptionsCustomizer;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The auto-configuration's choices, without a Temporal server: what it builds from
 * {@code sandboxes.*}, what it refuses, and where it backs off.
 */
class SandboxesAutoConfigurationTest {
  private final ApplicationContextRunner app = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SandboxesAutoConfiguration.class));

  @Test
  void aMisspeltKeyFailsTheStartNamingIt() {
    app.withPropertyValues("sandboxes.runtime=local", "sandboxes.local.isolation=none",
        "sandboxes.task-queue=sandboxes").run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .isInstanceOf(UnboundConfigurationPropertiesException.class)
              .hasMessageContaining("sandboxes.task-queue");
        });
  }

  @Test
  void theWorkersEnvironmentVariablesDoNotFailTheStart() {
    // Spring Boot reports unknown keys from files and the command line only, not from the
    // environment or system properties, where the worker's settings may be too
    app.withUserConfiguration(OwnRuntime.class)
        .withInitializer(context -> context.getEnvironment().getPropertySources().replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                "SANDBOXES_TEMPORAL_TARGET", "temporal.example:7233",
                "SANDBOXES_TASK_QUEUE", "sandboxes-gpu",
                "SANDBOXES_REAPER_ENABLED", "false",
                "SANDBOXES_KUBERNETES_STORAGE_CLASS", "fast",
                "SANDBOXES_RUNTME", "local",
                "SANDBOXES_KUBERNETES_NAMESPACE", "sandboxes-gpu"))))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(SandboxesStarterProperties.class).kubernetes().namespace())
              .isEqualTo("sandboxes-gpu");
        });
  }

  @Test
  void aValueOutOfRangeFailsTheStartNamingTheProperty() {
    startFailsNaming("sandboxes.kubernetes.default-cpu", "lots");
  }

  @Test
  void theLocalRuntimeAndThePluginComeFromTheProperties(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root) {
    app.withPropertyValues("sandboxes.runtime=local", "sandboxes.local.isolation=none",
        "sandboxes.local.root=" + root,
        "sandboxes.task-queues=orders,sandboxes").run(context -> {
          assertThat(context).hasSingleBean(SandboxPluginCustomizer.class);
          assertThat(context.getBean(SandboxRuntime.class)).isInstanceOf(LocalRuntime.class);
          assertThat(context.getBean(SandboxesStarterProperties.class).taskQueues())
              .isEqualTo(Set.of("orders", "sandboxes"));
        });
  }

  @Test
  void theLocalRuntimeNeedsBubblewrapUnlessToldOtherwise(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root) {
    app.withPropertyValues("sandboxes.runtime=local", "sandboxes.local.root=" + root).run(context ->
        assertThat(context.getBean(SandboxesStarterProperties.class).local().isolation())
            .isEqualTo(dev.sandboxes.runtime.local.IsolationMode.BUBBLEWRAP));
  }

  @Test
  void anApplicationsOwnRuntimeReplacesTheStartersAndCarriesThePlugin() {
    // with the default runtime (kubernetes) the starter would connect to a cluster: it must not try
    app.withUserConfiguration(OwnRuntime.class).run(context -> {
      assertThat(context).hasSingleBean(SandboxRuntime.class);
      assertThat(context.getBean(SandboxRuntime.class)).isSameAs(context.getBean(OwnRuntime.class).runtime);
      assertThat(context).hasSingleBean(SandboxPluginCustomizer.class);
    });
  }

  @Test
  void anApplicationsOwnPluginBeanReplacesTheCustomizer() {
    app.withUserConfiguration(OwnRuntime.class, OwnPlugin.class).run(context -> {
      assertThat(context).hasSingleBean(SandboxPlugin.class);
      assertThat(context).doesNotHaveBean(SandboxPluginCustomizer.class);
    });
  }

  @Test
  void anApplicationsOwnPluginOnItsOwnRuntimeLeavesTheStarterWithoutARuntime() {
    // with the default runtime (kubernetes) the starter would connect to a cluster: it must not try
    app.withUserConfiguration(PluginWithItsOwnRuntime.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(SandboxPlugin.class);
      assertThat(context).doesNotHaveBean(SandboxRuntime.class);
      assertThat(context).doesNotHaveBean(SandboxPluginCustomizer.class);
    });
  }

  @Test
  void closingTheContextWaitsForTheWorkersBeforeClosingTheRuntime() {
    closeWithWorkers((factory, order) -> {
      order.verify(factory).shutdown();
      // what is left of the 20 seconds
      order.verify(factory).awaitTermination(
          longThat(n -> n > TimeUnit.SECONDS.toNanos(10) && n <= TimeUnit.SECONDS.toNanos(20)),
          eq(TimeUnit.NANOSECONDS));
      verify(factory, never()).shutdownNow();
    }, "sandboxes.shutdown-timeout=20s");
  }

  @Test
  void tasksStillRunningAfterTheShutdownTimeoutAreInterruptedBeforeTheRuntimeCloses() {
    closeWithWorkers((factory, order) -> {
      order.verify(factory).shutdown();
      order.verify(factory).awaitTermination(0, TimeUnit.NANOSECONDS);
      order.verify(factory).shutdownNow();
      order.verify(factory).awaitTermination(anyLong(), eq(TimeUnit.NANOSECONDS));
    }, "sandboxes.shutdown-timeout=0s", "test.tasks-ignore-shutdown=true");
  }

  /**
   * Starts and closes an application with {@link Workers} and its own runtime; {@code workers}
   * checks what happened to the worker factory, and then the runtime must have been closed.
   */
  private void closeWithWorkers(BiConsumer<WorkerFactory, InOrder> workers, String... properties) {
    app.withUserConfiguration(OwnRuntime.class, Workers.class).withPropertyValues(properties).run(context -> {
      WorkerFactory factory = context.getBean(WorkerFactory.class);
      SandboxRuntime runtime = context.getBean(SandboxRuntime.class);
      context.close();

      InOrder order = inOrder(factory, runtime);
      workers.accept(factory, order);
      order.verify(runtime).close();
    });
  }

  @Test
  void aShutdownTimeoutOutOfRangeFailsTheStartNamingTheProperty() {
    startFailsNaming("sandboxes.shutdown-timeout", "2h");
  }

  /** The application does not start with {@code property} set to {@code value}, and says which. */
  void startFailsNaming(String property, String value) {
    app.withPropertyValues(property + "=" + value).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(property);
    });
  }

  @Test
  void theCustomizerAddsThePluginOnceBesideOthers() {
    SandboxPlugin plugin = SandboxPlugin.forRuntime(mock(SandboxRuntime.class));
    SandboxPluginCustomizer customizer = new SandboxPluginCustomizer(plugin);
    WorkflowClientOptions.Builder options = WorkflowClientOptions.newBuilder()
        .setPlugins(io.temporal.common.SimplePlugin.newBuilder("other").build());

    WorkflowClientOptions twice = customizer.customize(customizer.customize(options)).build();

    assertThat(twice.getPlugins()).extracting(p -> p.getName()).containsExactly("other", SandboxPlugin.NAME);
  }

  @Test
  void theTestServerGetsTheSearchAttributesOnlyInTestServerMode() {
    ResolvableType testEnvironmentCustomizer =
        ResolvableType.forClassWithGenerics(TemporalOptionsCustomizer.class, TestEnvironmentOptions.Builder.class);
    app.withUserConfiguration(OwnRuntime.class).run(context ->
        assertThat(context.getBeanNamesForType(testEnvironmentCustomizer)).isEmpty());
    app.withUserConfiguration(OwnRuntime.class).withPropertyValues("spring.temporal.test-server.enabled=true")
        .run(context -> assertThat(context.getBeanNamesForType(testEnvironmentCustomizer)).hasSize(1));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRuntime {
    final SandboxRuntime runtime = mock(SandboxRuntime.class);

    @Bean
    SandboxRuntime myRuntime() {
      return runtime;
    }
  }

  /**
   * A started worker factory, destroyed as temporal-spring-boot-starter destroys its own (shut down
   * without waiting), whose tasks end when it is shut down, or only when interrupted.
   */
  @Configuration(proxyBeanMethods = false)
  static class Workers {
    @Bean(destroyMethod = "shutdown")
    WorkerFactory temporalWorkerFactory(org.springframework.core.env.Environment environment) {
      boolean ignoreShutdown = environment.getProperty("test.tasks-ignore-shutdown", Boolean.class, false);
      WorkerFactory factory = mock(WorkerFactory.class);
      AtomicBoolean terminated = new AtomicBoolean();
      when(factory.isStarted()).thenReturn(true);
      when(factory.isTerminated()).thenAnswer(i -> terminated.get());
      org.mockito.Mockito.doAnswer(i -> {
        terminated.set(!ignoreShutdown);
        return null;
      }).when(factory).shutdown();
      org.mockito.Mockito.doAnswer(i -> {
        terminated.set(true);
        return null;
      }).when(factory).shutdownNow();
      return factory;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class PluginWithItsOwnRuntime {
    @Bean
    SandboxPlugin mySandboxPlugin() {
      return SandboxPlugin.forRuntime(mock(SandboxRuntime.class));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnPlugin {
    @Bean
    SandboxPlugin mySandboxPlugin(SandboxRuntime runtime) {
      return SandboxPlugin.forRuntime(runtime);
    }
  }
}
