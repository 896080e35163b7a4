package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.runtime.PlatformException;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP status → typed error table of {@link KubernetesErrors}. */
class KubernetesErrorsTest {

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(400, SandboxErrors.RUNTIME_REJECTED, false),
        Arguments.of(401, SandboxErrors.FORBIDDEN, false),
        Arguments.of(403, SandboxErrors.FORBIDDEN, false),
        Arguments.of(404, SandboxErrors.NOT_FOUND, false),
        Arguments.of(409, SandboxErrors.NAME_CONFLICT, false),
        Arguments.of(422, SandboxErrors.RUNTIME_REJECTED, false),
        Arguments.of(429, SandboxErrors.RUNTIME_UNAVAILABLE, true),
        Arguments.of(500, SandboxErrors.RUNTIME_UNAVAILABLE, true),
        Arguments.of(503, SandboxErrors.RUNTIME_UNAVAILABLE, true),
        Arguments.of(0, SandboxErrors.RUNTIME_UNAVAILABLE, true));
  }

  @ParameterizedTest(name = "HTTP {0} → {1}")
  @MethodSource("table")
  void mapsStatusCodes(int code, String type, boolean retryable) {
    SandboxException error = KubernetesErrors.translate(failure(code, "boom"), "create pod p");
    assertThat(error.type()).isEqualTo(type);
    if (error instanceof PlatformException platform) {
      assertThat(platform.retryable()).isEqualTo(retryable);
    } else {
      assertThat(error).isInstanceOf(SandboxNotFoundException.class);
    }
    assertThat(error.getMessage()).contains("create pod p");
  }

  @Test
  void forbiddenNamesRbac() {
    assertThat(KubernetesErrors.translate(failure(403, "pods is forbidden"), "create pod p"))
        .hasMessageContaining("RBAC").hasMessageContaining("pods is forbidden");
  }

  @Test
  void aPodSecurityRefusalIsARejectionNamingTheRulesNotAnRbacProblem() {
    // the API server's own wording (Kubernetes 1.36, restricted level)
    SandboxException error = KubernetesErrors.translate(failure(403, "pods \"p\" is forbidden: violates "
        + "PodSecurity \"restricted:latest\": privileged (container \"main\" must not set "
        + "securityContext.privileged=true)"), "create pod p");
    assertThat(error).isInstanceOfSatisfying(PlatformException.class, p -> {
      assertThat(p.type()).isEqualTo(SandboxErrors.RUNTIME_REJECTED);
      assertThat(p.retryable()).isFalse();
    });
    assertThat(error).hasMessageContaining("securityContext.privileged=true")
        .hasMessageContaining("Pod Security admission").hasMessageNotContaining("RBAC");
  }

  @Test
  void anIoCauseIsRetryableWhateverTheCode() {
    KubernetesClientException e = new KubernetesClientException("connection reset",
        new IOException("reset by peer"));
    SandboxException error = KubernetesErrors.translate(e, "get pod p");
    assertThat(error).isInstanceOfSatisfying(PlatformException.class,
        p -> assertThat(p.retryable()).isTrue());
  }

  @Test
  void quotaExceededIsCapacityNotPermission() {
    assertThat(KubernetesErrors.isQuotaExceeded(failure(403,
        "pods \"p\" is forbidden: exceeded quota: compute, requested: cpu=500m"))).isTrue();
    assertThat(KubernetesErrors.isQuotaExceeded(failure(403, "pods is forbidden: User cannot create")))
        .isFalse();
  }

  @Test
  void conflictIsRecognised() {
    assertThat(KubernetesErrors.isConflict(failure(409, "already exists"))).isTrue();
    assertThat(KubernetesErrors.isConflict(failure(422, "invalid"))).isFalse();
  }

  private static KubernetesClientException failure(int code, String message) {
    return new KubernetesClientException(
        new StatusBuilder().withCode(code).withMessage(message).build());
  }
}
