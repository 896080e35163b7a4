package dev.sandboxes.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.uber.m3.tally.NoopScope;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.Test;

/** How the Temporal settings become gRPC stub options. */
class TemporalConnectionTest {
  private static final TlsProperties NO_TLS = new TlsProperties(false, null, null, null, null);

  @Test
  void theLocalDefaultIsPlaintext() {
    WorkflowServiceStubsOptions options = TemporalConnection.stubsOptions(
        new TemporalProperties(null, "default", null, NO_TLS), new NoopScope());

    assertThat(options.getTarget()).isEqualTo("127.0.0.1:7233");
    assertThat(options.getEnableHttps()).isFalse();
    assertThat(options.getSslContext()).isNull();
  }

  @Test
  void anApiKeyTurnsTlsOnAndTravelsAsABearerToken() {
    WorkflowServiceStubsOptions options = TemporalConnection.stubsOptions(
        new TemporalProperties("my-ns.a1b2c.tmprl.cloud:7233", "my-ns.a1b2c", "secret", NO_TLS),
        new NoopScope());

    assertThat(options.getEnableHttps()).isTrue();
    assertThat(options.getGrpcMetadataProviders()).singleElement()
        .satisfies(provider -> assertThat(provider.getMetadata().toString()).contains("Bearer secret"));
  }

  @Test
  void aServerNameOverridesTheAuthorityTheCertificateIsCheckedAgainst() {
    WorkflowServiceStubsOptions options = TemporalConnection.stubsOptions(
        new TemporalProperties("10.0.0.5:7233", "default", null,
            new TlsProperties(true, null, null, null, "temporal.internal")),
        new NoopScope());

    assertThat(options.getEnableHttps()).isTrue();
    assertThat(options.getChannelInitializer()).isNotNull();
  }
}
