package dev.sandboxes.spring;

import dev.sandboxes.testing.PortBoundTemporal;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application connected to a server ({@code spring.temporal.connection.target}; here
 * Temporal's in-process server on a port), the mode in which the Temporal starter also puts
 * plugin beans on its service stubs: the plugin still reaches the client only once.
 */
@SpringBootTest(classes = {SandboxApplication.class, ConnectedModeTest.ServerShutdown.class},
    properties = "spring.config.name=connected-app")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ConnectedModeTest extends SandboxApplicationContract {
  private static PortBoundTemporal temporal;

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) {
    temporal = PortBoundTemporal.start();
    registry.add("spring.temporal.connection.target", temporal::target);
  }

  /** Closes the server after the application's worker factory has stopped polling it. */
  @TestConfiguration(proxyBeanMethods = false)
  static class ServerShutdown {
    @Bean(destroyMethod = "close")
    AutoCloseable temporalTestServer() {
      return () -> temporal.close();
    }
  }
}
