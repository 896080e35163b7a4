package dev.sandboxes.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sandbox worker: a Spring Boot application that polls the sandbox task queue, runs
 * sandboxes on Kubernetes (or locally, for development) and serves health and Prometheus
 * metrics over HTTP. Started by {@code sandbox worker}; configured by {@link SandboxesProperties}.
 *
 * <p>Component scanning covers this package only, so the command line ({@code dev.sandboxes.cli})
 * never becomes part of the application context.
 */
@SpringBootApplication
public class WorkerApplication {

  /** Runs the worker until the returned context is closed (or the JVM receives SIGTERM). */
  public static ConfigurableApplicationContext run(String... args) {
    return SpringApplication.run(WorkerApplication.class, args);
  }

  public static void main(String[] args) {
    run(args);
  }
}
