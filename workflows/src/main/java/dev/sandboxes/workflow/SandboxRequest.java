package dev.sandboxes.workflow;

import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;

/**
 * Input of {@link SandboxWorkflow#run}: the spec (its name matches the workflow ID) and, after
 * continue-as-new, the state carried over from the previous run.
 *
 * @param notifyParent signal the parent workflow when the sandbox is running (the author API)
 * @param carried status of the previous run; {@code null} on the first run
 * @param updatesPerRun updates one run serves before it continues as new; {@code null} for the
 *     default (500, well under the server's 2000 per run)
 * @param resultLines the most log lines the workflow's return value carries (at most
 *     {@link #RESULT_BYTES} bytes in all), for callers that collect many results, like batches;
 *     {@code null} for the whole captured tail. The {@code result} query always has the whole tail.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record SandboxRequest(SandboxSpec spec, boolean notifyParent, SandboxStatus carried,
    Integer updatesPerRun, Integer resultLines) {
  /** The most updates a run may be asked to serve: well under the server's 2,000 per run. */
  public static final int MAX_UPDATES_PER_RUN = 1000;

  /**
   * The request's own rules (the spec has its own): {@code updatesPerRun} 1..{@value
   * #MAX_UPDATES_PER_RUN} (0 would continue as new at once, forever), {@code resultLines}
   * 0..{@value dev.sandboxes.model.LogRequest#MAX_TAIL}.
   */
  public java.util.List<dev.sandboxes.model.Violation> violations() {
    return java.util.stream.Stream.of(
        dev.sandboxes.model.Violation.outside("updatesPerRun", updatesPerRun, 1, MAX_UPDATES_PER_RUN),
        dev.sandboxes.model.Violation.outside("resultLines", resultLines, 0, dev.sandboxes.model.LogRequest.MAX_TAIL))
        .flatMap(java.util.Optional::stream).toList();
  }

  /** The size bound of a result trimmed to {@code resultLines}. */
  public static final int RESULT_BYTES = 4096;

  /** A request whose result carries the whole captured log tail ({@code resultLines} {@code null}). */
  public SandboxRequest(SandboxSpec spec, boolean notifyParent, SandboxStatus carried, Integer updatesPerRun) {
    this(spec, notifyParent, carried, updatesPerRun, null);
  }

  /**
   * The request of a new sandbox: no parent to notify, nothing carried, the default updates per run
   * and the whole log tail in its result.
   */
  public static SandboxRequest of(SandboxSpec spec) {
    return new SandboxRequest(spec, false, null, null, null);
  }

  /** The request the next run starts with after continue-as-new. */
  public SandboxRequest continued(SandboxStatus status) {
    return new SandboxRequest(spec, notifyParent, status, updatesPerRun, resultLines);
  }
}
