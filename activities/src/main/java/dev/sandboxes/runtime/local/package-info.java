/**
 * The local runtime: sandboxes as process trees on the worker's own host, isolated with
 * bubblewrap where it is available. Entry point {@link dev.sandboxes.runtime.local.LocalRuntime},
 * configured by {@link dev.sandboxes.runtime.local.LocalRuntimeOptions}.
 *
 * <p>On disk, under the configured root:
 * <pre>
 * sandboxes/&lt;name&gt;/sandbox.properties   owner, image, times, pid, exit code or failure reason
 * sandboxes/&lt;name&gt;/output.log[.1]       "&lt;instant&gt; &lt;text&gt;" lines, stdout and stderr interleaved
 * sandboxes/&lt;name&gt;/workspace/            the sandbox's /workspace (working directory, HOME)
 * sandboxes/&lt;name&gt;/tmp/                  the sandbox's /tmp
 * volumes/&lt;name&gt;/volume.properties      name, creation time, requested size (not enforced)
 * volumes/&lt;name&gt;/data/                  what a sandbox sees at its mount path
 * </pre>
 *
 * <p>Everything but {@code LocalRuntime}, its options and {@code IsolationMode} is internal.
 */
package dev.sandboxes.runtime.local;
