package dev.sandboxes.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The application in temporal-spring-boot-starter's test-server mode
 * ({@code spring.temporal.test-server.enabled}), in which the Temporal starter drops plugin beans.
 */
@SpringBootTest(classes = SandboxApplication.class, properties = "spring.config.name=test-server-app")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TestServerModeTest extends SandboxApplicationContract {}
