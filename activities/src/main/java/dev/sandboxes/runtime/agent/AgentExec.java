package dev.sandboxes.runtime.agent;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.runtime.BoundedCapture;
import dev.sandboxes.runtime.PlatformException;
import java.time.Duration;
import java.time.Instant;

/**
 * One command through a sandbox's agent, to its {@link ExecResult}: start it under its exec ID
 * (or attach to it, when a previous attempt started it), follow its output to the exit frame,
 * keeping at most {@code cap} bytes of each stream as every runtime does.
 *
 * <p>The agent enforces the request's timeout (it kills the command's process group and reports
 * exit code 124), so the wait here is bounded by the timeout plus {@link #GRACE}; an agent that
 * has not ended the command by then is unavailable, and the command is killed if it can be.
 */
public final class AgentExec {
  /** How long past the request's timeout the exit frame may take to arrive. */
  public static final Duration GRACE = Duration.ofSeconds(30);

  private AgentExec() {}

  /**
   * Runs (or re-attaches to) exec {@code execId}; {@code live} also receives the output as it
   * comes, from the start of the command's output (null for none).
   */
  public static ExecResult run(AgentGateway gateway, AgentEndpoint agent, String execId,
      ExecRequest request, int cap, OutputSink live) throws InterruptedException {
    Instant started = Instant.now();
    gateway.start(agent, execId, request);
    BoundedCapture out = new BoundedCapture(cap);
    BoundedCapture err = new BoundedCapture(cap);
    OutputSink sink = new OutputSink() {
      @Override
      public void stdout(byte[] bytes, int offset, int length) {
        out.write(bytes, offset, length);
        if (live != null) {
          live.stdout(bytes, offset, length);
        }
      }

      @Override
      public void stderr(byte[] bytes, int offset, int length) {
        err.write(bytes, offset, length);
        if (live != null) {
          live.stderr(bytes, offset, length);
        }
      }
    };
    Instant deadline = started.plus(request.effectiveTimeout()).plus(GRACE);
    AgentGateway.Followed followed = gateway.follow(agent, execId, 0, sink, deadline);
    if (!followed.ended()) {
      try {
        gateway.kill(agent, execId);
      } catch (PlatformException ignored) {
        // the agent is not answering; the error below says so
      }
      throw new PlatformException(SandboxErrors.AGENT_UNAVAILABLE, true, "exec " + execId
          + " did not end within its timeout of " + request.effectiveTimeout() + " and " + GRACE
          + " more: the sandbox's agent at " + agent.base() + " stopped sending its output", null);
    }
    AgentExit exit = followed.exit();
    return BoundedCapture.result(exit.exitCode(), out, err, exit.timedOut(),
        Duration.between(started, Instant.now()));
  }
}
