package dev.sandboxes.cli;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.SandboxFilter;
import dev.sandboxes.client.SandboxSummary;
import dev.sandboxes.model.SandboxPhase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List sandboxes, newest first. Terminated ones are hidden "
    + "unless --all or --phase terminated.")
final class ListCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--phase", paramLabel = "P", converter = PhaseConverter.class,
      description = "only these phases (repeatable)")
  List<SandboxPhase> phases = new ArrayList<>();

  @Option(names = "--tag", paramLabel = "K=V", description = "only sandboxes with every such tag")
  Map<String, String> tags = new LinkedHashMap<>();

  @Option(names = "--image", paramLabel = "I", description = "only this image")
  String image;

  @Option(names = "--volume", paramLabel = "V", description = "only sandboxes that mount this volume")
  String volume;

  @Option(names = "--all", description = "include terminated sandboxes")
  boolean all;

  @Override
  public Integer call() {
    try {
      SandboxClient client = global.sandboxes();
      List<SandboxSummary> rows = client.list(new SandboxFilter(Set.copyOf(phases), tags, image, volume, all));
      // From the visibility store alone: the search attributes, and the status each workflow keeps
      // in its memo (none for a sandbox just queued, nor one begun before the memo was kept), so one
      // listing costs a page of visibility per 1,000 rows, not a query per sandbox.
      if (global.json) {
        Output.printJson(spec.commandLine().getOut(),
            rows.stream().map(r -> r.status() != null ? Output.json(r.status()) : Output.json(r)).toList());
      } else {
        Output.printTable(spec.commandLine().getOut(), rows);
      }
      return ExitCodes.OK;
    } finally {
      global.close();
    }
  }
}
