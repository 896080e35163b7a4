package dev.sandboxes.cli;

import dev.sandboxes.model.PoolStatus;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code sandbox pool ...}: the warm pools the workers keep. */
@Command(name = "pool", mixinStandardHelpOptions = true,
    description = "Warm pools: ready pods that sandboxes of the same image and size take instead of "
        + "starting one. Workers declare them (sandboxes.kubernetes.pools); each has a keeper workflow, pool/NAME.",
    subcommands = {PoolCommand.ListPools.class})
final class PoolCommand extends CommandGroup {

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the warm pools with their size, ready and starting idle pods, and the pods sandboxes "
          + "took from them that still run (as each pool's keeper last saw them).")
  static final class ListPools extends ClientCommand {
    @Override
    int act(PrintWriter out) {
      List<PoolStatus> pools = global.pools().list();
      if (global.json) {
        Output.printJson(out, pools.stream().map(PoolCommand::json).toList());
        return ExitCodes.OK;
      }
      Table table = new Table("NAME", "IMAGE", "SIZE", "READY", "STARTING", "CLAIMED");
      for (PoolStatus p : pools) {
        if (p.size() < 0) {
          table.row(p.name(), null, "filling", null, null, null);
        } else {
          table.row(p.name(), p.image(), p.size(), p.ready(), p.starting(), p.claimed());
        }
      }
      table.print(out);
      return ExitCodes.OK;
    }
  }

  static Map<String, Object> json(PoolStatus p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", p.name());
    m.put("image", p.image());
    m.put("size", p.size() < 0 ? null : p.size());
    m.put("ready", p.ready());
    m.put("starting", p.starting());
    m.put("claimed", p.claimed());
    return m;
  }
}
