package dev.sandboxes.workflow;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One read of an exec's output, as a short workflow of its own (ID
 * {@code exec-output/<sandbox>/<execId>/<offset>}): one activity that returns as soon as new output
 * is there, or after the request's wait with none. Output read this way never enters the sandbox
 * workflow's history, whose size Temporal bounds, so a command may write any amount; each read's
 * own history holds its piece (at most 256 KiB) until retention removes it. How
 * {@link dev.sandboxes.client.SandboxClient#exec(String, dev.sandboxes.model.ExecRequest,
 * java.util.function.Consumer)} streams, and how a client follows an exec again from any offset.
 * Needs a sandbox that keeps its execs (the in-sandbox agent); elsewhere the answer says so
 * ({@link ExecOutputChunk#unavailable}).
 */
@WorkflowInterface
public interface ExecOutputWorkflow {
  /**
   * Reads the output of exec {@code request.execId()} in sandbox {@code sandbox} from the request's
   * offset, waiting up to its wait for output to come. A sandbox that keeps no exec output answers
   * with {@link ExecOutputChunk#unavailable} set instead of failing; other failures keep their
   * type.
   */
  @WorkflowMethod(name = "SandboxExecOutput")
  ExecOutputChunk read(String sandbox, ExecOutputRequest request);
}
