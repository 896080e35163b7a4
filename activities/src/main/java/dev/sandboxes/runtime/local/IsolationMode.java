package dev.sandboxes.runtime.local;

/**
 * How the local runtime separates a sandbox from the host.
 *
 * <ul>
 *   <li>{@link #BUBBLEWRAP}: every command runs under {@code bwrap} with its own mount, PID,
 *       network, IPC and UTS namespaces, a root built on a tmpfs that shows only the host's
 *       {@code /usr} and {@code /etc} (read-only), the sandbox's own {@code /workspace} and
 *       {@code /tmp}, and its volumes. The runtime refuses to start when {@code bwrap} is
 *       missing or does not work.
 *   <li>{@link #NONE}: plain child processes of the worker with a cleared environment and the
 *       sandbox's workspace as working directory. No isolation at all: only for development
 *       machines without bubblewrap, never for untrusted code. Volumes are refused.
 *   <li>{@link #AUTO}: {@link #BUBBLEWRAP} when {@code bwrap} is on the {@code PATH} and a
 *       probe sandbox runs, {@link #NONE} (with a warning) otherwise.
 * </ul>
 */
public enum IsolationMode {
  AUTO,
  BUBBLEWRAP,
  NONE
}
