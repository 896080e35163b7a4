package dev.sandboxes.spring;

import dev.sandboxes.plugin.SandboxPlugin;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowClientPlugin;
import io.temporal.spring.boot.TemporalOptionsCustomizer;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Puts a {@link SandboxPlugin} on the workflow client that temporal-spring-boot-starter builds
 * for its root namespace; the worker factory it builds on that client inherits the plugin from
 * it (Temporal's plugin propagation), so the plugin's workflows and activities land on the
 * factory's workers, and its data converter on the client that starts sandboxes.
 *
 * <p>A customizer rather than a plugin bean, because temporal-spring-boot-starter 1.38 attaches a
 * plugin bean that is a {@code WorkflowServiceStubsPlugin} (every {@code SimplePlugin} is) only to
 * the service stubs it creates for {@code spring.temporal.connection}; with
 * {@code spring.temporal.test-server.enabled} the stubs are the test environment's and such a
 * bean is dropped with a warning. Customizers of the client options are applied in both modes.
 * The plugin goes on the client only: also on the worker factory's options, it would run twice
 * there and register every workflow type twice.
 */
public final class SandboxPluginCustomizer implements TemporalOptionsCustomizer<WorkflowClientOptions.Builder> {
  private final SandboxPlugin plugin;

  /** A customizer that adds {@code plugin}. */
  public SandboxPluginCustomizer(SandboxPlugin plugin) {
    this.plugin = Objects.requireNonNull(plugin, "plugin");
  }

  /** The plugin it adds. */
  public SandboxPlugin plugin() {
    return plugin;
  }

  /**
   * Adds the plugin after those already set (the Temporal starter's own plugin beans that are
   * client plugins), unless a plugin of its name is among them.
   */
  @Override
  public WorkflowClientOptions.Builder customize(WorkflowClientOptions.Builder options) {
    WorkflowClientPlugin[] current = options.build().getPlugins();
    if (Arrays.stream(current).anyMatch(p -> SandboxPlugin.NAME.equals(p.getName()))) {
      return options;
    }
    return options.setPlugins(Stream.concat(Arrays.stream(current), Stream.of(plugin))
        .toArray(WorkflowClientPlugin[]::new));
  }
}
