package dev.sandboxes.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * The worker's bundled settings ({@code sandbox-worker-defaults.yaml}: health groups and probes,
 * metrics exposure, logging, the {@code sandboxes.*} defaults) as the property source of lowest
 * precedence. As an {@code application.yaml} they vanished as soon as
 * {@code --spring.config.location} named another file (the probes then answered 404); here
 * every other source still overrides them key by key, and none removes them. Only for the worker
 * application ({@link WorkerApplication}), whatever starts it.
 */
public final class BundledDefaults implements EnvironmentPostProcessor {
  /** The resource on the classpath. */
  static final String RESOURCE = "sandbox-worker-defaults.yaml";
  /** The property source's name, as the environment lists it. */
  static final String NAME = "sandbox worker defaults (classpath:" + RESOURCE + ")";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    if (!application.getAllSources().contains(WorkerApplication.class) || environment.getPropertySources().contains(NAME)) {
      return;
    }
    try {
      for (PropertySource<?> source : new YamlPropertySourceLoader().load(NAME, new ClassPathResource(RESOURCE))) {
        environment.getPropertySources().addLast(source);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the worker's bundled settings " + RESOURCE, e);
    }
  }
}
