package dev.sandboxes.worker;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.SandboxRuntime;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntime;
import dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions;
import dev.sandboxes.runtime.local.LocalRuntime;
import dev.sandboxes.runtime.local.LocalRuntimeOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerDeploymentOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * The worker's object graph: runtime, Temporal connection, client, worker factory, lifecycle
 * and health. Temporal is wired here by hand rather than through
 * {@code temporal-spring-boot-starter}, so the {@link SandboxPlugin} is attached the same way
 * in every mode (the starter's test-server mode silently drops plugin beans).
 *
 * <p>Beans are destroyed in reverse dependency order after {@link WorkerLifecycle} has stopped
 * polling: the worker factory first, then the runtime, the Kubernetes client, the gRPC channel
 * and finally the metrics scope.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SandboxesProperties.class)
public class WorkerConfiguration {
  /** How often the SDK's metrics are pushed into the Micrometer registry. */
  static final Duration METRICS_REPORT_INTERVAL = Duration.ofSeconds(1);
  private static final Duration HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(3);
  /** How long a worker with {@code set-current} waits for its version to register in the deployment. */
  private static final Duration SET_CURRENT_TIMEOUT = Duration.ofSeconds(60);
  /** How often a draining worker asks whether its version has drained. */
  private static final Duration DRAIN_CHECK = Duration.ofSeconds(5);
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WorkerConfiguration.class);

  /** Spring Boot applies a validator of this bean name to every configuration properties class. */
  @Bean(name = "configurationPropertiesValidator")
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static SandboxesPropertiesValidator configurationPropertiesValidator() {
    return new SandboxesPropertiesValidator();
  }

  @Bean(destroyMethod = "close")
  /** The Kubernetes runtime's client comes from KUBECONFIG, ~/.kube/config or the in-cluster account. */
  SandboxRuntime sandboxRuntime(SandboxesProperties properties, Scope temporalMetricsScope) {
    return switch (properties.runtime()) {
      case KUBERNETES -> {
        KubernetesProperties k = properties.kubernetes();
        yield KubernetesRuntime.connect(KubernetesRuntimeOptions.newBuilder()
            .namespace(k.namespace())
            .defaultCpu(k.defaultCpu())
            .defaultMemory(k.defaultMemory())
            .execOutputCapBytes((int) k.execOutputCap().toBytes())
            .runtimeClassName(k.runtimeClassName())
            .defaultEgress(EgressSetting.parse(k.defaultEgress()))
            .defaultVolumeSize(k.volumeSize())
            .defaultStorageClass(k.volumeStorageClass())
            .defaultAccessMode(k.volumeAccessMode())
            .helperImage(k.volumeHelperImage())
            .agentImage(k.agentImage())
            .agentPort(k.agentPort())
            .agentAccess(k.access())
            .agentClients(k.agentClients() == null ? null
                : dev.sandboxes.runtime.kubernetes.KubernetesRuntimeOptions.AgentClients.parse(k.agentClients()))
            .maxLifetime(properties.sandbox().maxLifetime())
            .pools(k.warmPools())
            .egressProxy(k.proxy())
            .clusterDns(k.clusterDns())
            .build(), temporalMetricsScope);
      }
      case LOCAL -> {
        LocalProperties l = properties.local();
        yield new LocalRuntime(LocalRuntimeOptions.newBuilder()
            .root(l.root())
            .isolation(l.isolation())
            .execOutputCapBytes((int) l.execOutputCap().toBytes())
            .build());
      }
    };
  }

  /** The SDK reports through tally; this scope forwards every metric to Spring's registry. */
  @Bean(destroyMethod = "close")
  Scope temporalMetricsScope(MeterRegistry registry) {
    return new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofMillis(METRICS_REPORT_INTERVAL.toMillis()));
  }

  /** How often the {@code sandboxes} gauge asks visibility for the open sandboxes by phase. */
  static final Duration PHASE_GAUGE_INTERVAL = Duration.ofSeconds(15);

  /** The open sandboxes by phase, from visibility ({@link SandboxPhaseGauge}). */
  @Bean(destroyMethod = "close")
  SandboxPhaseGauge sandboxPhaseGauge(WorkflowServiceStubs stubs, SandboxesProperties properties,
      Scope temporalMetricsScope) {
    return new SandboxPhaseGauge(stubs, properties.temporal().namespace(), temporalMetricsScope,
        PHASE_GAUGE_INTERVAL).start();
  }

  /** Connects lazily: the worker starts even while Temporal is down, and health says so. */
  @Bean(destroyMethod = "shutdown")
  WorkflowServiceStubs workflowServiceStubs(SandboxesProperties properties, Scope temporalMetricsScope) {
    return WorkflowServiceStubs.newServiceStubs(
        TemporalConnection.stubsOptions(properties.temporal(), temporalMetricsScope));
  }

  /**
   * The plugin is registered on the client (Temporal's convention): the worker factory built on
   * it gets it, and its data converter gives update validators' rejections their documented types.
   */
  @Bean
  WorkflowClient workflowClient(WorkflowServiceStubs stubs, SandboxRuntime runtime, SandboxesProperties properties) {
    return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
        .setNamespace(properties.temporal().namespace())
        .setPlugins(SandboxPlugin.forRuntime(runtime, java.util.Set.of(), properties.sandbox().limits()))
        .build());
  }

  @Bean(destroyMethod = "shutdownNow")
  WorkerFactory workerFactory(WorkflowClient client, SandboxesProperties properties) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    factory.newWorker(properties.taskQueue(), workerOptions(properties));
    return factory;
  }

  /**
   * Options of the worker: with {@code sandboxes.versioning.enabled}, a version of a Worker
   * Deployment, on which {@link SandboxPlugin} registers the workflow implementations that
   * declare their versioning behaviour. There is no default behaviour on purpose: a workflow
   * type that declares none fails the worker's start instead of being given one silently.
   */
  public static WorkerOptions workerOptions(SandboxesProperties properties) {
    VersioningProperties versioning = properties.versioning();
    if (!versioning.enabled()) {
      return WorkerOptions.getDefaultInstance();
    }
    return WorkerOptions.newBuilder()
        .setDeploymentOptions(WorkerDeploymentOptions.newBuilder()
            .setUseVersioning(true)
            .setVersion(versioning.version(properties.taskQueue()))
            .build())
        .build();
  }

  @Bean
  WorkerLifecycle workerLifecycle(WorkerFactory factory, SandboxRuntime runtime, SandboxesProperties properties) {
    VersioningProperties versioning = properties.versioning();
    String description = "task queue " + properties.taskQueue() + " in namespace " + properties.temporal().namespace()
        + " at " + properties.temporal().effectiveTarget() + ", " + runtime.kind() + " runtime";
    if (!versioning.enabled()) {
      return new WorkerLifecycle(factory, properties.shutdownTimeout(), description + ", unversioned",
          () -> {
            try {
              ensureReaperSchedule(factory.getWorkflowClient(), properties);
            } finally {
              ensurePoolKeepers(factory.getWorkflowClient(), properties, runtime);
            }
          });
    }
    WorkerDeploymentVersion version = versioning.version(properties.taskQueue());
    if (versioning.buildId() == null && version.getBuildId().endsWith("-SNAPSHOT")) {
      log.warn("Build ID {} is a snapshot version, which every development build shares: set "
          + "sandboxes.versioning.build-id so that two builds are two versions", version.getBuildId());
    }
    WorkerDeployments deployments = new WorkerDeployments(factory.getWorkflowClient().getWorkflowServiceStubs(),
        properties.temporal().namespace());
    return new WorkerLifecycle(factory, properties.shutdownTimeout(),
        description + ", Worker Deployment version " + WorkerDeployments.describe(version),
        () -> deployments.requireSupport(version),
        () -> {
          if (versioning.setCurrent()) {
            makeCurrent(deployments, version);
          }
          try {
            ensureReaperSchedule(factory.getWorkflowClient(), properties);
          } finally {
            ensurePoolKeepers(factory.getWorkflowClient(), properties, runtime);
          }
        },
        () -> drain(deployments, version, versioning.drainTimeout(), versioning.drainedQueryWindow()));
  }

  /**
   * A stopping worker whose version has been replaced as current keeps polling until the
   * workflows pinned to it (its batches) have closed, at most {@code limit}: in a rolling update
   * of a Kubernetes Deployment the old pods are stopped as the new ones become ready, and a
   * batch pinned to the old version would otherwise wait for workers that are gone. Once drained
   * it answers queries of those closed workflows for {@code queryWindow} more (a batch's results
   * are read by query, typically right after it finished), as Temporal's worker controller
   * keeps a drained version's workers for a while.
   */
  public static void drain(WorkerDeployments deployments, WorkerDeploymentVersion version, Duration limit,
      Duration queryWindow) {
    if (limit.isZero() || limit.isNegative()) {
      return;
    }
    String name = WorkerDeployments.describe(version);
    try {
      long t0 = System.nanoTime();
      var status = deployments.versionStatus(version);
      if (status == io.temporal.api.enums.v1.WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING) {
        log.info("Worker Deployment version {} is draining (replaced as current, with pinned workflows open): "
            + "serving them for at most {} before stopping", name, limit);
        status = deployments.awaitDrained(version, limit, DRAIN_CHECK);
        log.info("Worker Deployment version {}: {} after {} s", name, status, (System.nanoTime() - t0) / 1_000_000_000);
      }
      if (status == io.temporal.api.enums.v1.WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED
          && !queryWindow.isZero() && !queryWindow.isNegative()) {
        log.info("Worker Deployment version {} has drained; answering queries of its closed workflows for {} "
            + "before stopping", name, queryWindow);
        Thread.sleep(queryWindow.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("Could not tell whether Worker Deployment version {} has drained ({}); stopping", name, e.getMessage());
    }
  }

  /**
   * Until a deployment has a current version, new workflows on its task queues wait for
   * unversioned workers; this worker's version becomes that current version.
   */
  private static void makeCurrent(WorkerDeployments deployments, WorkerDeploymentVersion version) {
    try {
      if (wasReplaced(deployments, version)) {
        log.warn("Worker Deployment version {} was current once and has been replaced: not taking the "
            + "deployment back (a rollback is an operator's step: temporal worker deployment set-current-version)",
            WorkerDeployments.describe(version));
        return;
      }
      deployments.setCurrentVersion(version, "sandbox-worker " + WorkerDeployments.describe(version),
          SET_CURRENT_TIMEOUT);
      log.info("Worker Deployment version {} is current (sandboxes.versioning.set-current=true)",
          WorkerDeployments.describe(version));
    } catch (RuntimeException e) {
      log.error("Worker Deployment version {} could not be made current: {}; new workflows go to the "
          + "current version, if any", WorkerDeployments.describe(version), e.getMessage());
    }
  }

  /** The version has been current or ramping and was replaced since; unknown versions were not. */
  private static boolean wasReplaced(WorkerDeployments deployments, WorkerDeploymentVersion version) {
    try {
      var info = deployments.describeVersion(version);
      return switch (info.getStatus()) {
        case WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING, WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED -> true;
        default -> info.hasLastDeactivationTime();
      };
    } catch (io.grpc.StatusRuntimeException e) {
      return false; // not registered yet: setCurrentVersion waits for that
    }
  }

  /**
   * A keeper for each warm pool of this worker's runtime, on its task queue (one that runs
   * already is left as it is; a pool left out of the configuration is drained by its keeper).
   */
  static void ensurePoolKeepers(WorkflowClient client, SandboxesProperties properties, SandboxRuntime runtime) {
    dev.sandboxes.client.PoolClient pools = new dev.sandboxes.client.PoolClient(client);
    for (String pool : runtime.poolNames()) {
      try {
        boolean started = pools.ensureKeeper(pool, properties.taskQueue());
        log.info("Warm pool {}: keeper {} ({})", pool, started ? "started" : "already running",
            dev.sandboxes.model.WorkflowIds.poolWorkflowId(pool));
      } catch (RuntimeException e) {
        log.error("Warm pool {}: its keeper ({}) could not be started, so the pool stays empty until "
            + "a worker starts it: {}", pool, dev.sandboxes.model.WorkflowIds.poolWorkflowId(pool), e.toString());
      }
    }
  }

  /** The orphan reaper's schedule for this worker's task queue, unless it is disabled. */
  static void ensureReaperSchedule(WorkflowClient client, SandboxesProperties properties) {
    ReaperProperties reaper = properties.reaper();
    if (!reaper.enabled()) {
      log.info("Orphan reaper schedule disabled (sandboxes.reaper.enabled=false); run `sandbox reap`");
      return;
    }
    boolean scheduled = new dev.sandboxes.client.ReaperClient(client)
        .ensureSchedule(properties.taskQueue(), reaper.interval(), reaper.grace());
    if (scheduled) {
      log.info("Orphan reaper scheduled every {} as {}", reaper.interval(),
          dev.sandboxes.client.ReaperClient.scheduleId(properties.taskQueue()));
    } else {
      log.warn("This Temporal server has no schedules: orphans are removed only by `sandbox reap`");
    }
  }

  /**
   * The {@code networkPolicy} health component, the enforcement gauge and the start-up probe, on
   * Kubernetes; the probe is skipped (verdict unknown, saying so) with
   * {@code sandboxes.kubernetes.network-policy-check=false}.
   */
  @Bean(initMethod = "start", destroyMethod = "close")
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "sandboxes.runtime",
      havingValue = "kubernetes", matchIfMissing = true)
  NetworkPolicyCheck networkPolicyHealthIndicator(SandboxRuntime runtime, SandboxesProperties properties,
      MeterRegistry registry) {
    return NetworkPolicyCheck.of((KubernetesRuntime) runtime, properties.kubernetes().networkPolicyCheck(), registry);
  }

  @Bean
  TemporalHealthIndicator temporalHealthIndicator(WorkflowServiceStubs stubs, WorkerLifecycle worker,
      SandboxesProperties properties, SandboxRuntime runtime) {
    return new TemporalHealthIndicator(stubs, worker, properties, runtime.kind(), HEALTH_CHECK_TIMEOUT);
  }
}
