package dev.sandboxes.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * An application as a user writes one: nothing of its own but auto-configuration (Temporal's and
 * the sandboxes'); its settings are in an {@code application.yaml} of its own name.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class SandboxApplication {}
