package dev.sandboxes.worker;

import com.uber.m3.tally.Scope;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns {@link TemporalProperties} into the options of the SDK's gRPC stubs: target, TLS
 * (default trust store, a private CA, mutual TLS, server name override), the API key as a
 * bearer token, and the metrics scope the SDK reports into.
 */
public final class TemporalConnection {
  private TemporalConnection() {}

  public static WorkflowServiceStubsOptions stubsOptions(TemporalProperties temporal, Scope metricsScope) {
    WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder()
        .setTarget(temporal.effectiveTarget())
        .setMetricsScope(metricsScope);
    if (temporal.hasApiKey()) {
      String key = temporal.apiKey().strip();
      options.addApiKey(() -> key);
    }
    TlsProperties tls = temporal.tls();
    if (temporal.tlsEnabled()) {
      if (tls.clientCert() != null || tls.caCert() != null) {
        options.setSslContext(sslContext(tls));
      } else {
        // The JVM's trust store, as Temporal Cloud needs.
        options.setEnableHttps(true);
      }
      if (tls.serverName() != null) {
        options.setChannelInitializer(channel -> channel.overrideAuthority(tls.serverName()));
      }
    }
    return options.validateAndBuildWithDefaults();
  }

  private static SslContext sslContext(TlsProperties tls) {
    try {
      SslContextBuilder builder = GrpcSslContexts.forClient();
      if (tls.clientCert() != null) {
        builder.keyManager(tls.clientCert().toFile(), tls.clientKey().toFile());
      }
      if (tls.caCert() != null) {
        builder.trustManager(tls.caCert().toFile());
      }
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot load the TLS material of sandboxes.temporal.tls "
          + "(client-cert " + tls.clientCert() + ", client-key " + tls.clientKey() + ", ca-cert "
          + tls.caCert() + "): " + e.getMessage(), e);
    }
  }
}
