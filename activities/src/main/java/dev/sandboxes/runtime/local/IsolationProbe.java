package dev.sandboxes.runtime.local;

import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the configured {@link IsolationMode} to the {@link Isolation} that works on this
 * host: bubblewrap when {@code bwrap} is on the PATH and a trial sandbox starts, else plain
 * processes (under a {@link ProcessSupervisor} where util-linux has one). {@code BUBBLEWRAP}
 * fails when bubblewrap does not work; {@code AUTO} falls back with a loud warning.
 */
final class IsolationProbe {
  /** Named after the runtime: these warnings are about the runtime as a whole. */
  private static final Logger log = LoggerFactory.getLogger(LocalRuntime.class);

  private IsolationProbe() {}

  /**
   * The isolation for {@code mode}, never {@link IsolationMode#AUTO}.
   *
   * @param scratch a directory the trial sandbox may use; removed before this returns
   * @throws IllegalStateException when {@code mode} is {@code BUBBLEWRAP} and bubblewrap is
   *     missing or does not work
   */
  static Isolation choose(IsolationMode mode, Path scratch) {
    try {
      switch (mode) {
        case NONE:
          warnNoIsolation("isolation NONE was configured");
          return new NoIsolation(supervisor());
        case BUBBLEWRAP: {
          Path bwrap = BubblewrapIsolation.findOnPath().orElseThrow(() -> new IllegalStateException(
              "isolation BUBBLEWRAP needs the bwrap program (package bubblewrap), but it is not on the PATH "
                  + System.getenv("PATH")));
          BubblewrapIsolation bubblewrap = new BubblewrapIsolation(bwrap);
          bubblewrap.probe(scratch).ifPresent(why -> {
            throw new IllegalStateException("isolation BUBBLEWRAP: " + bwrap + " does not work here: " + why);
          });
          return bubblewrap;
        }
        default: {
          Optional<Path> bwrap = BubblewrapIsolation.findOnPath();
          if (bwrap.isEmpty()) {
            warnNoIsolation("bwrap is not on the PATH (install the bubblewrap package)");
            return new NoIsolation(supervisor());
          }
          BubblewrapIsolation bubblewrap = new BubblewrapIsolation(bwrap.get());
          Optional<String> failure = bubblewrap.probe(scratch);
          if (failure.isPresent()) {
            warnNoIsolation(bwrap.get() + " does not work here: " + failure.get());
            return new NoIsolation(supervisor());
          }
          return bubblewrap;
        }
      }
    } finally {
      Directories.deleteTree(scratch);
    }
  }

  private static Optional<ProcessSupervisor> supervisor() {
    Optional<ProcessSupervisor> supervisor = ProcessSupervisor.find();
    if (supervisor.isEmpty()) {
      log.warn("setpriv, setsid or sh is not on the PATH (setpriv and setsid are in util-linux): sandbox "
          + "processes run as direct children of this worker and OUTLIVE it if it is killed");
    }
    return supervisor;
  }

  private static void warnNoIsolation(String why) {
    log.warn("LOCAL SANDBOXES ARE NOT ISOLATED ({}): every sandbox command runs as a plain process of this "
        + "worker's user with full access to this machine's files and network. Never run untrusted code "
        + "this way.", why);
  }
}
