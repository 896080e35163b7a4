package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.runtime.PlatformException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One attempt per call: a volume file read or write whose exec stream breaks fails once with a
 * retryable {@link PlatformException}, and is not made again inside the call. The activity's
 * retry policy (three attempts, in the volume workflow) is the only retry, so one chunk is never
 * sent nine times.
 */
class KubernetesVolumeFileAttemptsTest {
  private static final String NAMESPACE = MockCluster.NAMESPACE;

  @RegisterExtension
  static final MockCluster cluster = MockCluster.start();

  private static String volume(String prefix) {
    String volume = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    cluster.runtime.createVolume(volume, VolumeSpec.defaults(), new SandboxOwner("volume/" + volume, "run-1"));
    return volume;
  }

  /** The exec requests sent to the helper pods of {@code volume}. */
  private static List<String> execsOf(String volume) {
    String helpers = "/pods/" + VolumeHelpers.name(volume, "");
    return cluster.api.execPaths().stream().filter(p -> p.contains(helpers)).toList();
  }

  @Test
  void aReadWhoseExecStreamBreaksFailsOnceAndRetryably() {
    String volume = volume("read-once");
    cluster.api.scriptExec(SimulatedApiServer.ANY_POD,
        SimulatedApiServer.ScriptedExec.broken(VolumeFileCommands.read("/big", 0, 10)));

    assertThatThrownBy(() -> cluster.runtime.readFile(volume, "/big", 0, 10))
        .isInstanceOfSatisfying(PlatformException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("without an exit code");
    assertThat(execsOf(volume)).as("one read exec, not made again").hasSize(1);
    cluster.runtime.deleteVolume(volume);
  }

  @Test
  void aWriteWhoseExecStreamBreaksFailsOnceAndRemovesItsTemporaryFile() {
    String volume = volume("write-once");
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    List<String> put = VolumeFileCommands.write("/f.txt", "TEMPORARY", data).get(0).argv();
    // The temporary file's name is random: match the put by the arguments after it.
    cluster.api.scriptExec(SimulatedApiServer.ANY_POD,
        SimulatedApiServer.ScriptedExec.broken(put.subList(put.size() - 4, put.size())));

    assertThatThrownBy(() -> cluster.runtime.writeFile(volume, "/f.txt", data))
        .isInstanceOfSatisfying(PlatformException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("without an exit code");
    List<String> execs = execsOf(volume);
    assertThat(execs).as("one put, then the abort of its temporary file; no second start")
        .hasSize(2);
    assertThat(execs.get(1)).contains("abort");
    cluster.runtime.deleteVolume(volume);
  }
}
