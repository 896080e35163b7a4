package dev.sandboxes.runtime.local;

import java.nio.file.Path;
import java.util.Map;

/**
 * What every process of one sandbox sees: the same host directories behind the same paths,
 * and the same network policy. The main process and each exec are started from one view, so
 * an exec finds the files the main process wrote.
 *
 * @param hostname host name inside the sandbox (the sandbox name)
 * @param workspace host directory shown at {@link #WORKSPACE}
 * @param tmp host directory shown at {@code /tmp}
 * @param mounts absolute path inside the sandbox → host directory of the volume's data
 * @param network whether the sandbox shares the host's network (egress allowed)
 */
record SandboxView(String hostname, Path workspace, Path tmp, Map<String, Path> mounts, boolean network) {

  /** The default working directory and {@code HOME} of every sandbox process. */
  static final String WORKSPACE = "/workspace";

  /** A search path that covers the host's usual binary directories. */
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  SandboxView {
    mounts = Map.copyOf(mounts);
  }
}
