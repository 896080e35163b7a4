package dev.sandboxes.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's first configuration, in code: what {@code logback.xml} says (library logging on
 * stderr, quiet: {@code SANDBOX_LOG_LEVEL}, default WARN), without parsing XML at each start of a
 * command, which took a tenth of a short command's run. Registered as logback's configurator
 * (META-INF/services); steps aside when {@code logback.configurationFile} or a
 * {@code logback-test.xml} names another configuration. The worker's Spring Boot configures
 * logging again from {@code logback.xml} as before; {@code QuickStartTest} holds the two equal.
 */
public final class CliLogging extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || CliLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Level level = Level.toLevel(setting("SANDBOX_LOG_LEVEL", "WARN"));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    root.addAppender(stderr);
    context.getLogger("dev.sandboxes").setLevel(level);
    context.getLogger("io.temporal.internal.worker.ActivityWorker").setLevel(Level.ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** As logback.xml's {@code ${NAME:-default}}: a system property, else the environment, else the default. */
  private static String setting(String name, String otherwise) {
    String value = System.getProperty(name);
    if (value == null) {
      value = System.getenv(name);
    }
    return value == null ? otherwise : value;
  }
}
