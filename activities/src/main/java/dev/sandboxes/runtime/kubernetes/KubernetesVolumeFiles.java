package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.runtime.VolumeFilePlatform;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.runtime.PlatformException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The volume file API of {@link KubernetesRuntime}: files of a volume without a sandbox. Each
 * operation runs in a short-lived, hardened helper pod that mounts the volume's claim
 * ({@link VolumeHelpers}, commands in {@link VolumeFileCommands}), always deleted afterwards and
 * bounded by {@code activeDeadlineSeconds} in case the worker dies first.
 */
final class KubernetesVolumeFiles implements VolumeFilePlatform {
  /** How long a volume helper pod may take to start. */
  static final Duration HELPER_START = Duration.ofSeconds(60);
  /** How long one exec in a volume helper may take. */
  static final Duration HELPER_EXEC_TIMEOUT = Duration.ofSeconds(60);
  /** Helper output cap: a read chunk arrives as about 350 KB of base64; generous for listings. */
  static final int HELPER_OUTPUT_CAP = 2 * 1024 * 1024;
  // Named after the runtime, as before the split, so logging configuration still applies.
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(KubernetesRuntime.class);

  private final KubernetesGateway gateway;
  private final KubernetesRuntimeOptions options;
  private final KubernetesVolumes volumes;

  /** The file API on {@code volumes}, whose claims the helper pods mount. */
  KubernetesVolumeFiles(KubernetesGateway gateway, KubernetesRuntimeOptions options,
      KubernetesVolumes volumes) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.options = Objects.requireNonNull(options, "options");
    this.volumes = Objects.requireNonNull(volumes, "volumes");
  }

  @Override
  public List<FileEntry> listFiles(String volume, String path) {
    String normal = VolumePaths.valid("path", path);
    return withHelper(volume, "list " + normal, helper -> {
      ExecResult result = helperExec(volume, helper, VolumeFileCommands.list(normal));
      checkExit(volume, result, normal, "path", null);
      return VolumeFileCommands.parseListing(normal, result.stdout());
    });
  }

  @Override
  public FileChunk readFile(String volume, String path, long offset, int length) {
    String normal = VolumePaths.valid("path", path);
    VolumePaths.validRange(offset, length);
    return withHelper(volume, "read " + normal, helper -> {
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      long size;
      while (true) {
        int wanted = Math.min(VolumeFileCommands.READ_CHUNK_BYTES, length - data.size());
        VolumeFileCommands.ReadOutput read =
            readRange(volume, helper, normal, offset + data.size(), wanted);
        data.writeBytes(read.data());
        size = read.size();
        if (read.data().length < wanted || data.size() >= length) {
          return new FileChunk(normal, offset, data.toByteArray(), size);
        }
      }
    });
  }

  /**
   * One bounded read, made once. Its exec ends only after its output was read to the end
   * ({@link KubernetesGateway#execToTheEnd}); an exec whose stream breaks all the same fails the
   * read with a retryable {@link PlatformException}: the activity's retry policy makes it again,
   * and is the only retry.
   */
  private VolumeFileCommands.ReadOutput readRange(String volume, String helper, String path,
      long offset, int length) throws InterruptedException {
    ExecResult result = helperExec(volume, helper, VolumeFileCommands.read(path, offset, length));
    checkExit(volume, result, path, "path", null);
    return VolumeFileCommands.parseRead(result.stdout());
  }

  /**
   * Streams the content in chunks to a fresh temporary file and renames it over the target, once.
   * A failed write removes its temporary file and replaces nothing; the activity's retry policy
   * starts it again from the beginning (a new helper, a new temporary file), so no chunk is ever
   * appended twice.
   */
  @Override
  public FileEntry writeFile(String volume, String path, byte[] data) {
    String normal = VolumePaths.validFile("path", path);
    VolumePaths.validContent(data);
    return withHelper(volume, "write " + normal, helper -> writeThrough(volume, helper, normal, data));
  }

  private FileEntry writeThrough(String volume, String helper, String path, byte[] data)
      throws InterruptedException {
    String temporary = VolumeFileCommands.temporary(path, UUID.randomUUID().toString());
    ExecResult last = null;
    boolean done = false;
    try {
      for (VolumeFileCommands.Exec exec : VolumeFileCommands.write(path, temporary, data)) {
        last = helperExec(volume, helper, exec.argv(), exec.stdin());
        checkExit(volume, last, path, "path", null);
      }
      done = true;
      return VolumeFileCommands.parseEntry(path, last.stdout());
    } finally {
      if (!done) {
        try {
          helperExec(volume, helper, VolumeFileCommands.abort(temporary), null);
        } catch (RuntimeException e) {
          // A hidden leftover file at worst; the write's own failure is what the caller sees.
        }
      }
    }
  }

  @Override
  public void moveFile(String volume, String from, String to) {
    String source = VolumePaths.validFile("from", from);
    String target = VolumePaths.validFile("to", to);
    if ((target + "/").startsWith(source + "/")) {
      throw new InvalidSpecException("volume file request", List.of(new Violation("to",
          "lies inside " + source + ", which cannot be moved into itself")));
    }
    withHelper(volume, "move " + source + " to " + target, helper -> {
      checkExit(volume, helperExec(volume, helper, VolumeFileCommands.move(source, target)),
          source, "from", target);
      return null;
    });
  }

  private interface HelperWork<T> {
    T run(String helper) throws InterruptedException;
  }

  /**
   * Runs {@code work} in a fresh helper pod of the volume and always deletes that pod
   * afterwards, whatever happened. Helpers of the volume older than their deadline (left by a
   * crashed worker) are deleted first.
   */
  private <T> T withHelper(String volume, String what, HelperWork<T> work) {
    // The helper belongs to the volume's owner, so the reaper removes it with the claim's owner.
    SandboxOwner owner = VolumeClaims.ownerOf(volumes.existingClaim(volume));
    String helper = VolumeHelpers.name(volume, UUID.randomUUID().toString().substring(0, 8));
    try {
      deleteStaleHelpers(volume);
      try {
        gateway.createPod(VolumeHelpers.pod(volume, helper, owner, options));
      } catch (KubernetesClientException e) {
        // The helper's name is fresh for this call: a conflict is this create's own first
        // request, acted on but answered too late, and re-sent by the client.
        if (!KubernetesErrors.isConflict(e)) {
          throw e;
        }
      }
      awaitHelperRunning(volume, helper);
      return work.run(helper);
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "volume " + volume + ": " + what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PlatformException.unavailable("volume " + volume + ": " + what + " was interrupted", e);
    } finally {
      try {
        gateway.deletePod(helper);
      } catch (KubernetesClientException e) {
        // Its activeDeadlineSeconds ends it, and the next operation on the volume deletes it.
        log.warn("cannot delete volume helper pod {}/{}: {}", gateway.namespace(), helper,
            KubernetesErrors.describe(e));
      }
    }
  }

  private void deleteStaleHelpers(String volume) {
    Instant now = Instant.now();
    for (Pod old : gateway.listPods(VolumeHelpers.selector(volume))) {
      if (VolumeHelpers.stale(old, now, options.helperDeadline())) {
        gateway.deletePod(old.getMetadata().getName());
      }
    }
  }

  private void awaitHelperRunning(String volume, String helper) throws InterruptedException {
    Pod pod = PodWaits.awaitPod(gateway, helper, p -> p == null
        || PodPhases.stateOf(p).phase() == SandboxPhase.RUNNING
        || PodPhases.stateOf(p).phase().terminal(), Instant.now().plus(HELPER_START));
    RuntimeState state = PodPhases.stateOf(pod);
    if (state.phase() != SandboxPhase.RUNNING) {
      boolean pending = !state.phase().terminal();
      throw new PlatformException(SandboxErrors.RUNTIME_UNAVAILABLE, pending,
          "volume " + volume + ": helper pod " + gateway.namespace() + "/" + helper + " did not start"
              + (pending ? " within " + HELPER_START.toSeconds() + "s" : "") + ": " + state.phase()
              + (state.reason() == null ? "" : " " + state.reason())
              + (state.message() == null ? "" : " (" + state.message() + ")")
              + "; is the volume's claim bound and the image " + options.helperImage() + " available?",
          null);
    }
  }

  private ExecResult helperExec(String volume, String helper, List<String> argv)
      throws InterruptedException {
    return helperExec(volume, helper, argv, null);
  }

  private ExecResult helperExec(String volume, String helper, List<String> argv, byte[] stdin)
      throws InterruptedException {
    // Without stdin (everything but the chunks of a write) the exec ends only once its output
    // has been read to the end: a read chunk's 350 KB could otherwise lose its end on the way.
    ExecResult result = stdin == null
        ? gateway.execToTheEnd(helper, argv, HELPER_EXEC_TIMEOUT, HELPER_OUTPUT_CAP)
        : gateway.exec(helper, argv, stdin, HELPER_EXEC_TIMEOUT, HELPER_OUTPUT_CAP);
    if (result.timedOut() || result.stdoutTruncated()) {
      throw PlatformException.unavailable("volume " + volume + ": helper pod " + helper
          + (result.timedOut() ? " did not answer within " + HELPER_EXEC_TIMEOUT.toSeconds() + "s"
              : " printed more than " + HELPER_OUTPUT_CAP + " bytes"), null);
    }
    return result;
  }

  /** Maps the helper script's exit codes (see {@link VolumeFileCommands}) to typed errors. */
  private static void checkExit(String volume, ExecResult result, String path, String field,
      String second) {
    int code = result.exitCode();
    String secondField = "to";
    switch (code) {
      case 0:
        return;
      case VolumeFileCommands.MISSING:
        throw new SandboxNotFoundException("volume \"" + volume + "\" has no file " + path);
      case VolumeFileCommands.IS_DIRECTORY:
        throw invalidPath(field, "names a directory, not a file: " + path);
      case VolumeFileCommands.EXISTS:
        throw invalidPath(secondField, "already exists: " + second);
      case VolumeFileCommands.OUTSIDE_FIRST:
        throw invalidPath(field, "leads outside the volume (through a symbolic link): " + path);
      case VolumeFileCommands.OUTSIDE_SECOND:
        throw invalidPath(secondField, "leads outside the volume (through a symbolic link): " + second);
      case VolumeFileCommands.SHORT_WRITE:
        throw PlatformException.unavailable("volume " + volume + ": the content of " + path
            + " arrived incomplete in the helper pod; nothing was replaced", null);
      case VolumeFileCommands.NOT_A_DIRECTORY:
        throw invalidPath(second == null ? field : secondField,
            "has a parent that is not a directory: " + (second == null ? path : second));
      default:
        throw new PlatformException(SandboxErrors.RUNTIME_UNAVAILABLE, true, "volume " + volume
            + ": file operation on " + path + " failed with exit code " + code + ": "
            + result.stderr().strip(), null);
    }
  }

  private static InvalidSpecException invalidPath(String field, String message) {
    return new InvalidSpecException("volume file request", List.of(new Violation(field, message)));
  }
}
