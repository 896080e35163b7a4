package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker installed in the rig from its image and chart (deploy/rig/install-worker.sh), and the
 * chart itself: it lints and renders what the real API server accepts, the plain manifests are
 * the chart's, the running Deployment is what the chart promises, the worker's ServiceAccount may
 * do exactly what its Role lists and nothing else, and Pod Security `restricted` holds in the
 * sandboxes' namespace. e2e profile only; fails without the rig.
 */
class InstallClusterTest {
  /** Every verb of the API; what the Role does not list must be denied. */
  static final List<String> VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection");

  /** What the worker needs in the sandboxes' namespace: resource (group/name[/sub]) → verbs. */
  static final Map<String, Set<String>> ALLOWED = Map.of(
      // update: claiming a warm pool's pod (an update with the resourceVersion it was read at)
      "/pods", Set.of("get", "list", "watch", "create", "update", "delete"),
      "/pods/log", Set.of("get"),
      "/pods/exec", Set.of("get", "create"),
      "/persistentvolumeclaims", Set.of("get", "list", "watch", "create", "delete"),
      "networking.k8s.io/networkpolicies", Set.of("get", "list", "create", "delete"),
      // the sandboxes' agent tokens
      "/secrets", Set.of("get", "list", "create", "delete"));

  static KubernetesClient admin;
  static KubernetesClient worker;

  @BeforeAll
  static void connect() throws Exception {
    admin = Rig.admin();
    worker = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(Path.of(Rig.kubeconfig())))).build();
  }

  @AfterAll
  static void close() {
    if (admin != null) {
      admin.close();
    }
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  void theChartLintsAndTheServerAcceptsEverythingItRenders() {
    Install.Result lint = Install.helm("lint", "--strict", Install.chart().toString(),
        "--set", "temporal.target=temporal-frontend.temporal:7233");
    assertThat(lint.code()).as(lint.out() + lint.err()).isZero();
    assertThat(lint.out()).contains("1 chart(s) linted, 0 chart(s) failed");

    String rendered = Install.helm("template", Install.RELEASE, Install.chart().toString(),
        "--namespace", Install.NAMESPACE, "--set", "temporal.target=temporal-frontend.temporal:7233",
        // every optional part on: TLS from a Secret, an API key, versioning, a runtime class, the
        // egress proxy
        "--set", "temporal.tls.enabled=true", "--set", "temporal.tls.existingSecret=temporal-tls",
        "--set", "temporal.tls.caCert=true", "--set", "temporal.apiKey.existingSecret=temporal-api-key",
        "--set", "versioning.enabled=true", "--set", "sandboxes.runtimeClassName=gvisor",
        "--set", "sandboxes.egressProxy.enabled=true",
        "--set", "sandboxes.egressProxy.denyCidrs={10.88.0.0/16,10.96.0.0/16}",
        "--set", "sandboxes.egressProxy.allowPrivateCidrs={10.1.0.0/16}")
        .requireSuccess("helm template").out();
    Install.Result dryRun = Install.run(List.of(Install.kubectl().toString(), "--kubeconfig",
        System.getProperty("sandboxes.e2e.adminKubeconfig"), "apply", "--dry-run=server", "-f", "-"), rendered);
    assertThat(dryRun.code()).as(dryRun.err()).isZero();
    for (String object : List.of("namespace/sandboxes", "serviceaccount/sandbox-worker", "role.rbac.authorization.k8s.io/sandbox-worker",
        "rolebinding.rbac.authorization.k8s.io/sandbox-worker", "service/sandboxes-worker-metrics",
        "deployment.apps/sandboxes-worker", "poddisruptionbudget.policy/sandboxes-worker",
        "networkpolicy.networking.k8s.io/sandboxes-worker", "deployment.apps/sandboxes-worker-egress-proxy",
        "service/sandboxes-worker-egress-proxy", "networkpolicy.networking.k8s.io/sandboxes-worker-egress-proxy",
        "poddisruptionbudget.policy/sandboxes-worker-egress-proxy")) {
      assertThat(dryRun.out()).contains(object);
    }
    assertThat(dryRun.out()).contains("(server dry run)");
  }

  @Test
  void valuesThatCannotWorkAreRefusedByName() {
    Install.Result noTarget = Install.helm("template", Install.RELEASE, Install.chart().toString());
    assertThat(noTarget.code()).isNotZero();
    assertThat(noTarget.err()).contains("temporal.target is required");

    Install.Result noReplicas = Install.helm("template", Install.RELEASE, Install.chart().toString(),
        "--set", "temporal.target=t:7233", "--set", "replicas=0");
    assertThat(noReplicas.code()).isNotZero();
    assertThat(noReplicas.err()).contains("replicas must be at least 1");

    Install.Result noKey = Install.helm("template", Install.RELEASE, Install.chart().toString(),
        "--set", "temporal.target=t:7233", "--set", "sandboxes.egressProxy.enabled=true",
        "--set", "sandboxes.egressProxy.existingSecret=");
    assertThat(noKey.code()).isNotZero();
    assertThat(noKey.err()).contains("sandboxes.egressProxy.existingSecret is required");
  }

  @Test
  void thePlainManifestsAreWhatTheChartRenders() throws Exception {
    Path script = Install.repository().resolve("deploy/helm/render.sh");
    Install.Result rendered = Install.run(List.of("env", "HELM=" + Install.helm(), script.toString(), "-"), null)
        .requireSuccess("deploy/helm/render.sh -");
    assertThat(Files.readString(Install.repository().resolve("deploy/k8s/sandboxes-worker.yaml")))
        .as("deploy/k8s/sandboxes-worker.yaml is stale: run deploy/helm/render.sh")
        .isEqualTo(rendered.out());
  }

  @Test
  void theRunningWorkerIsWhatTheChartPromises() throws Exception {
    Deployment deployment = Install.deployment(admin);
    assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    assertThat(deployment.getStatus().getReadyReplicas()).isEqualTo(deployment.getSpec().getReplicas());

    var pod = deployment.getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
    // the worker's drain: its versioned drain (the rig's install is versioned), then its shutdown
    long drain = seconds(container, "SANDBOXES_VERSIONING_DRAIN_TIMEOUT")
        + seconds(container, "SANDBOXES_VERSIONING_DRAINED_QUERY_WINDOW") + seconds(container, "SANDBOXES_SHUTDOWN_TIMEOUT");
    assertThat(pod.getTerminationGracePeriodSeconds())
        .as("the pod's grace period outlasts the worker's drain (%d s)", drain).isGreaterThan(drain);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

    assertThat(admin.policy().v1().podDisruptionBudget().inNamespace(Install.NAMESPACE).withName(Install.RELEASE).get()
        .getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(admin.network().v1().networkPolicies().inNamespace(Install.NAMESPACE).withName(Install.RELEASE).get()
        .getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");

    // every replica answers on its own address, as the kubelet's probes see it, running as 65532
    List<Pod> workers = Install.runningWorkers(admin);
    assertThat(workers).hasSize(deployment.getSpec().getReplicas());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (Pod w : workers) {
      HttpResponse<String> readiness = http.send(HttpRequest.newBuilder(
          URI.create("http://" + w.getStatus().getPodIP() + ":8080/actuator/health/readiness")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(readiness.body()).contains("\"status\":\"UP\"");
      assertThat(w.getSpec().getContainers().get(0).getImage()).startsWith("sandboxes-worker:");
    }
    // the metrics Service routes (kube-proxy) to a worker's Prometheus endpoint
    Service metrics = admin.services().inNamespace(Install.NAMESPACE).withName(Install.RELEASE + "-metrics").get();
    assertThat(metrics.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/path", "/actuator/prometheus").containsEntry("prometheus.io/port", "8080");
    HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(URI.create(
        "http://" + metrics.getSpec().getClusterIP() + ":8080/actuator/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(scraped.statusCode()).isEqualTo(200);
    assertThat(scraped.body()).contains("jvm_memory_used_bytes").contains("temporal_");
  }

  @Test
  void theWorkerMayDoExactlyWhatItsRoleListsAndNothingElse() {
    // the Role on the server is the list the worker needs: no more, no less
    Role role = admin.rbac().roles().inNamespace(Rig.NAMESPACE).withName(Install.SERVICE_ACCOUNT).get();
    Set<String> granted = new TreeSet<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          rule.getVerbs().forEach(v -> granted.add(group + "/" + resource + " " + v));
        }
      }
    }
    Set<String> expected = new TreeSet<>();
    ALLOWED.forEach((resource, verbs) -> verbs.forEach(v -> expected.add(resource + " " + v)));
    assertThat(granted).isEqualTo(expected);

    // every verb on those resources: allowed exactly when listed
    List<String> wrong = new ArrayList<>();
    ALLOWED.forEach((resource, verbs) -> {
      for (String verb : VERBS) {
        boolean allowed = canI(Rig.NAMESPACE, resource, verb);
        if (allowed != verbs.contains(verb)) {
          wrong.add(resource + " " + verb + (allowed ? " is allowed" : " is denied"));
        }
      }
    });
    assertThat(wrong).as("verbs on the Role's resources that differ from the Role").isEmpty();

    // nothing else: other namespaces (their secrets above all), cluster-scoped objects, RBAC itself
    List<String> denied = List.of(
        "sandboxes /configmaps get",
        "sandboxes /serviceaccounts/token create", "sandboxes /services create",
        "sandboxes rbac.authorization.k8s.io/roles create", "sandboxes rbac.authorization.k8s.io/rolebindings create",
        "sandboxes apps/deployments create", "sandboxes /pods/attach create", "sandboxes /pods/portforward create",
        "sandboxes-system /pods get", "sandboxes-system /pods list", "sandboxes-system /secrets get",
        "default /pods create", "kube-system /pods list",
        " /nodes list", " /nodes/proxy get", " /namespaces create", " /namespaces list", " /persistentvolumes list",
        " /persistentvolumes create", " rbac.authorization.k8s.io/clusterroles create",
        " rbac.authorization.k8s.io/clusterrolebindings create", " storage.k8s.io/storageclasses create");
    List<String> allowedAfterAll = new ArrayList<>();
    for (String check : denied) {
      String[] parts = check.split(" ");
      if (canI(parts[0], parts[1], parts[2])) {
        allowedAfterAll.add(check);
      }
    }
    assertThat(allowedAfterAll).as("what the worker's ServiceAccount must not be allowed").isEmpty();
  }

  @Test
  void podSecurityRestrictedIsEnforcedInTheSandboxesNamespace() {
    assertThat(admin.namespaces().withName(Rig.NAMESPACE).get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    Pod privileged = new PodBuilder().withNewMetadata().withName("psa-privileged-" + System.nanoTime() % 100000)
        .endMetadata().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("main")
        .withImage("docker.io/library/busybox:1.36").withCommand("true").withNewSecurityContext()
        .withPrivileged(true).endSecurityContext().endContainer().endSpec().build();

    // even the admin cannot: the namespace's admission, not RBAC, refuses it
    Throwable asAdmin = catchThrowable(() -> admin.pods().inNamespace(Rig.NAMESPACE).resource(privileged).create());
    assertThat(asAdmin).isInstanceOf(KubernetesClientException.class).hasMessageContaining("violates PodSecurity");

    // the worker's create path turns this refusal into a typed error: KubernetesPodSecurityClusterTest
    assertThat(admin.pods().inNamespace(Rig.NAMESPACE).withName(privileged.getMetadata().getName()).get()).isNull();
  }

  private static long seconds(Container container, String variable) {
    String value = container.getEnv().stream().filter(e -> e.getName().equals(variable)).map(EnvVar::getValue)
        .findFirst().orElseThrow(() -> new AssertionError("the worker has no " + variable));
    return Duration.parse("PT" + value.toUpperCase()).toSeconds();
  }

  /** SelfSubjectAccessReview as the worker: may it do {@code verb} on {@code group/resource[/sub]}? */
  private static boolean canI(String namespace, String resource, String verb) {
    String[] groupAndRest = resource.split("/", 2);
    String[] nameAndSub = groupAndRest[1].split("/", 2);
    SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec()
        .withResourceAttributes(new ResourceAttributesBuilder().withNamespace(namespace.isEmpty() ? null : namespace)
            .withGroup(groupAndRest[0]).withResource(nameAndSub[0])
            .withSubresource(nameAndSub.length > 1 ? nameAndSub[1] : null).withVerb(verb).build())
        .endSpec().build();
    return worker.authorization().v1().selfSubjectAccessReview().create(review).getStatus().getAllowed();
  }
}
