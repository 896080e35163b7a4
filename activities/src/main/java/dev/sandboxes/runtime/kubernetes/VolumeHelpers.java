package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The volume helper pod, as a pure function: a short-lived busybox pod that mounts one volume's
 * claim at {@link VolumeFileCommands#MOUNT} so the runtime can list, read, write and move its
 * files by exec without a sandbox.
 *
 * <p>It reads and writes files that untrusted sandboxes wrote, so it is hardened like a sandbox
 * and more: the sandboxes' non-root uid, gid and fsGroup (files it writes belong to the same
 * user as the sandboxes' own), no privilege escalation, every capability dropped, a read-only
 * root file system, seccomp {@code RuntimeDefault}, no service-account token, no service links,
 * small resource limits, no network use. Its main process is the sandboxes' idle loop, and
 * {@code activeDeadlineSeconds} ends it even if the worker that created it crashed before its
 * {@code finally} deleted it. Its container is named like a sandbox's main container, so phases
 * ({@link PodPhases}) and exec treat it like any other pod of the runtime.
 */
public final class VolumeHelpers {
  /** Prefix of helper pod names: {@code volume-helper-<volume>-<suffix>}. */
  public static final String NAME_PREFIX = "volume-helper-";
  static final String CPU = "100m";
  static final String MEMORY = "32Mi";

  private VolumeHelpers() {}

  /** The name of a helper of {@code volume}; {@code suffix} tells helpers apart. */
  public static String name(String volume, String suffix) {
    return NAME_PREFIX + volume + "-" + suffix;
  }

  /** The labels that select every helper of {@code volume}. */
  public static Map<String, String> selector(String volume) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.ROLE, Labels.VOLUME_HELPER_ROLE);
    labels.put(Labels.VOLUME, volume);
    return labels;
  }

  /** The helper pod {@code name} for {@code volume}. */
  public static Pod pod(String volume, String name, dev.sandboxes.model.SandboxOwner owner,
      KubernetesRuntimeOptions options) {
    Map<String, Quantity> resources = new LinkedHashMap<>();
    resources.put("cpu", new Quantity(CPU));
    resources.put("memory", new Quantity(MEMORY));
    return new PodBuilder()
        .withNewMetadata()
          .withName(name)
          .withLabels(selector(volume))
          .withAnnotations(Owners.annotations(owner))
        .endMetadata()
        .withNewSpec()
          .addNewContainer()
            .withName(PodSpecs.MAIN_CONTAINER)
            .withImage(options.helperImage())
            .withImagePullPolicy(options.imagePullPolicy())
            .withCommand(SandboxSpec.IDLE_COMMAND)
            .withNewResources().withRequests(resources).withLimits(resources).endResources()
            .addNewVolumeMount().withName("volume").withMountPath(VolumeFileCommands.MOUNT)
            .endVolumeMount()
            .withSecurityContext(new io.fabric8.kubernetes.api.model.SecurityContextBuilder(
                PodSpecs.containerSecurityContext()).withReadOnlyRootFilesystem(true).build())
          .endContainer()
          .addNewVolume().withName("volume")
            .withNewPersistentVolumeClaim(VolumeClaims.claimName(volume), false)
          .endVolume()
          .withRestartPolicy("Never")
          .withAutomountServiceAccountToken(false)
          .withEnableServiceLinks(false)
          .withRuntimeClassName(options.runtimeClassName())
          .withActiveDeadlineSeconds(options.helperDeadline().toSeconds())
          // The idle loop exits on TERM at once; a second is plenty.
          .withTerminationGracePeriodSeconds(1L)
          .withSecurityContext(PodSpecs.podSecurityContext(options))
        .endSpec()
        .build();
  }

  /**
   * True when {@code helper} was created more than {@code deadline} before {@code now}: its own
   * deadline has passed, so no operation can still be using it (a worker crashed before
   * deleting it).
   */
  public static boolean stale(Pod helper, Instant now, Duration deadline) {
    String created = helper.getMetadata().getCreationTimestamp();
    if (created == null) {
      return false;
    }
    try {
      return Instant.parse(created).plus(deadline).isBefore(now);
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
