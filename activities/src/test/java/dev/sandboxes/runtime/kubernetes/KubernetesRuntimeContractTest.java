package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.SandboxRuntimeContract;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runtime contract against the fabric8 mock API server in CRUD mode, with
 * {@link KubeletSimulator} moving pod status and {@link SimulatedApiServer} serving logs and
 * exec sessions. What this cannot check (real exec, env and workdir actually applied, real
 * scheduling) is left to the end-to-end suite on a real cluster.
 */
class KubernetesRuntimeContractTest extends SandboxRuntimeContract {
  private static final String NAMESPACE = MockCluster.NAMESPACE;

  @RegisterExtension
  static final MockCluster cluster = MockCluster.start(b -> b.execOutputCapBytes(EXEC_CAP));

  @Override
  protected SandboxRuntime runtime() {
    return cluster.runtime;
  }

  @Override
  protected void scriptMainProcess(String name, List<String> output, int exitCode) {
    cluster.kubelet.scriptExit(name, exitCode);
    cluster.api.scriptLog(name, output);
  }

  @Override
  protected void scriptExec(String name, List<String> argv, String stdout, String stderr,
      Integer exitCode) {
    cluster.api.scriptExec(name, new SimulatedApiServer.ScriptedExec(argv, stdout, stderr, exitCode));
  }

  /** The worker was killed after the policy was made and before the pod: the retry needs no update verb. */
  @Test
  void aCreateRetriedAfterItsNetworkPolicyWasMadeReplacesItWithoutUpdating() throws Exception {
    String name = uniqueName("policy-retry");
    scriptMainProcess(name, List.of(), 0);
    cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE)
        .resource(NetworkPolicies.egress(name, EgressPolicy.allow("10.20.0.0/16"), ownerOf(name)).orElseThrow()).create();
    int before = cluster.api.writes().size();
    cluster.runtime.create(SandboxSpec.builder(image()).name(name).egress(EgressPolicy.allow("10.20.0.0/16")).build(), ownerOf(name));
    assertThat(cluster.client.pods().inNamespace(NAMESPACE).withName(name).get()).isNotNull();
    assertThat(cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(name).get()).isNotNull();
    assertThat(cluster.api.writes().subList(before, cluster.api.writes().size()))
        .as("requests of the retried create").noneMatch(w -> w.startsWith("PUT ") || w.startsWith("PATCH "));
  }

  @Test
  void aCreateThePlatformRejectsLeavesNoNetworkPolicy() {
    String name = uniqueName("rejected");
    cluster.api.server().expect().post().withPath("/api/v1/namespaces/" + NAMESPACE + "/pods")
        .andReturn(422, new StatusBuilder().withCode(422).withReason("Invalid").withMessage("pod rejected").build())
        .once();
    assertThatThrownBy(() -> cluster.runtime.create(SandboxSpec.builder(image()).name(name)
        .egress(EgressPolicy.allow("10.20.0.0/16")).build(), ownerOf(name)))
        .isInstanceOf(PlatformException.class);
    assertThat(cluster.api.writes()).as("the sandbox's own policy was made").anyMatch(w -> w.startsWith(
        "POST /apis/networking.k8s.io/v1/namespaces/" + NAMESPACE + "/networkpolicies"));
    assertThat(cluster.client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(name).get()).isNull();
  }

  @Test
  void execSendsEnvWorkdirAndStdinAsPositionalArguments() throws Exception {
    String name = startIdle("exec-wire");
    List<String> argv = List.of("cat");
    scriptExec(name, argv, "x", "", 0);
    cluster.runtime.exec(name, new ExecRequest(argv, Map.of("A", "it's $HOME"), "/tmp", null, "in\n"));
    String path = cluster.api.execPaths().get(cluster.api.execPaths().size() - 1);
    System.out.println("exec request path: " + path);
    Map<String, List<String>> query = SimulatedApiServer.query(path.substring(path.indexOf('?')));
    assertThat(query.get("command")).containsExactly("env", "A=it's $HOME", "sh", "-c",
        ExecCommands.SCRIPT, "sh", "/tmp", "1", "in\n", "cat");
    assertThat(query.get("container")).containsExactly("sandbox");
    cluster.runtime.delete(name);
  }
}
