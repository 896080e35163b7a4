package dev.sandboxes.worker;

import dev.sandboxes.runtime.local.IsolationMode;
import java.nio.file.Path;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the local runtime ({@code sandboxes.local.*}), which runs sandboxes as process
 * trees on the worker's host. For development; use Kubernetes for untrusted code.
 *
 * @param root directory holding each sandbox's workspace and logs; unset means
 *     {@code sandboxes-local} in the JVM's temporary directory
 * @param isolation {@code auto} (bubblewrap when it works, else none with a warning),
 *     {@code bubblewrap} (refuse to start without it) or {@code none}
 * @param execOutputCap bytes kept per exec stream
 */
public record LocalProperties(
    Path root,
    @DefaultValue("auto") IsolationMode isolation,
    @DefaultValue("1MB") DataSize execOutputCap) {}
