package dev.sandboxes.cli;

import dev.sandboxes.worker.WorkerApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

@Command(name = "worker", mixinStandardHelpOptions = true, description = "Run the production worker (Spring Boot): configured by "
    + "application.yaml, SANDBOXES_* environment variables or --sandboxes.x=y arguments; health "
    + "and Prometheus metrics under /actuator. See worker/README.md.")
final class WorkerCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  /** Spring arguments such as --sandboxes.runtime=local or --server.port=9090, passed through. */
  @Unmatched List<String> springArguments = new ArrayList<>();

  @Parameters(hidden = true, arity = "0..*")
  List<String> positional = new ArrayList<>();

  @Override
  public Integer call() {
    List<String> args = new ArrayList<>();
    // Global flags given on this command line (or TEMPORAL_ADDRESS/NAMESPACE) map onto the
    // worker's properties; otherwise application.yaml and SANDBOXES_* decide.
    ParseResult parsed = spec.commandLine().getParseResult();
    if (parsed.hasMatchedOption("--address") || System.getenv("TEMPORAL_ADDRESS") != null) {
      args.add("--sandboxes.temporal.target=" + global.address);
    }
    if (parsed.hasMatchedOption("--namespace") || System.getenv("TEMPORAL_NAMESPACE") != null) {
      args.add("--sandboxes.temporal.namespace=" + global.namespace);
    }
    if (parsed.hasMatchedOption("--task-queue")) {
      args.add("--sandboxes.task-queue=" + global.taskQueue);
    }
    // the connection flags (or their TEMPORAL_* variables), as the other commands take them
    if (global.apiKey != null) {
      args.add("--sandboxes.temporal.api-key=" + global.apiKey);
    }
    if (global.tls) {
      args.add("--sandboxes.temporal.tls.enabled=true");
    }
    if (global.tlsCert != null) {
      args.add("--sandboxes.temporal.tls.client-cert=" + global.tlsCert);
    }
    if (global.tlsKey != null) {
      args.add("--sandboxes.temporal.tls.client-key=" + global.tlsKey);
    }
    if (global.tlsCa != null) {
      args.add("--sandboxes.temporal.tls.ca-cert=" + global.tlsCa);
    }
    if (global.tlsServerName != null) {
      args.add("--sandboxes.temporal.tls.server-name=" + global.tlsServerName);
    }
    if (System.getenv("SANDBOX_DEBUG") == null) {
      // A failed start is reported as one line below; Spring's multi-line report only on debug.
      args.add("--logging.level.org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter=OFF");
      args.add("--logging.level.org.springframework.boot.web.servlet.context=ERROR");
    }
    args.addAll(springArguments);
    args.addAll(positional);
    ConfigurableApplicationContext context;
    try {
      context = WorkerApplication.run(args.toArray(String[]::new));
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof org.springframework.boot.context.properties.bind.BindException bind) {
          throw new CliException(ExitCodes.USAGE, "invalid worker configuration: " + describe(bind));
        }
      }
      throw e;
    }
    // Runs until the context closes (Spring's shutdown hook on SIGTERM) or this thread is
    // interrupted, which closes it.
    CountDownLatch closed = new CountDownLatch(1);
    context.addApplicationListener((ApplicationListener<ContextClosedEvent>) event -> closed.countDown());
    try {
      closed.await();
    } catch (InterruptedException e) {
      context.close();
      Thread.currentThread().interrupt();
    }
    return ExitCodes.OK;
  }

  /** One line naming each property that failed to bind or validate, and why. */
  static String describe(org.springframework.boot.context.properties.bind.BindException bind) {
    if (bind.getCause() instanceof org.springframework.boot.context.properties.bind.validation.BindValidationException invalid) {
      return String.join("; ", invalid.getValidationErrors().getAllErrors().stream()
          .map(error -> (error instanceof org.springframework.validation.FieldError field
              ? invalid.getValidationErrors().getName() + "." + field.getField() + ": " : "")
              + error.getDefaultMessage())
          .toList());
    }
    if (bind.getCause() instanceof org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException unknown) {
      return "unknown setting" + (unknown.getUnboundProperties().size() == 1 ? " " : "s ")
          + String.join(", ", unknown.getUnboundProperties().stream()
              .map(p -> p.getName() + (p.getOrigin() == null ? "" : " (" + p.getOrigin() + ")")).sorted().toList())
          + "; every setting is listed in worker/README.md";
    }
    Object value = bind.getProperty() == null ? null : bind.getProperty().getValue();
    return bind.getName() + (value == null ? "" : " = \"" + value + "\"") + ": "
        + GlobalOptions.rootMessage(bind);
  }
}
