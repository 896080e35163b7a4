package dev.sandboxes.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The shape of a command that talks to Temporal: connect on first use, act, print, disconnect. */
abstract class ClientCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Override
  public final Integer call() throws Exception {
    try {
      return act(spec.commandLine().getOut());
    } finally {
      global.close();
    }
  }

  abstract int act(PrintWriter out) throws Exception;
}
