package dev.sandboxes.runtime;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A {@link SandboxRuntime} made of its three parts, each a class of the runtime's own: the
 * sandboxes, the volumes and the volume files. A runtime extends it with what concerns the whole
 * (its kind, ownership for the reaper, closing), so that no runtime writes the hand-over of each
 * call again.
 *
 * <p>The rules of the runtime contract that do not depend on the platform are checked here,
 * once, before any part runs: a spec or request breaking its model's rules is refused with
 * {@code InvalidSpecException} naming each field, a sandbox must be named, a volume without a
 * spec gets the defaults. The parts receive valid input; what they still check is their own
 * (the Kubernetes runtime's maximum lifetime, say). Ownership is one rule too ({@link Ownership}).
 */
public abstract class ComposedRuntime implements SandboxRuntime {
  private final SandboxPlatform sandboxes;
  private final VolumePlatform volumes;
  private final VolumeFilePlatform files;

  protected ComposedRuntime(SandboxPlatform sandboxes, VolumePlatform volumes, VolumeFilePlatform files) {
    this.sandboxes = Objects.requireNonNull(sandboxes, "sandboxes");
    this.volumes = Objects.requireNonNull(volumes, "volumes");
    this.files = Objects.requireNonNull(files, "files");
  }

  @Override
  public RuntimeState create(SandboxSpec spec, SandboxOwner owner) {
    spec.validated();
    if (spec.name() == null) {
      throw new InvalidSpecException("sandbox spec",
          List.of(new Violation("name", "must be set before a runtime creates the sandbox")));
    }
    return sandboxes.create(spec, Objects.requireNonNull(owner, "owner"));
  }

  @Override
  public RuntimeState inspect(String name) {
    return sandboxes.inspect(name);
  }

  @Override
  public RuntimeState awaitChange(String name, SandboxPhase known, Duration maxWait)
      throws InterruptedException {
    return sandboxes.awaitChange(name, known, maxWait);
  }

  @Override
  public ExecResult exec(String name, ExecRequest request) throws InterruptedException {
    return sandboxes.exec(name, request.validated());
  }

  @Override
  public ExecOutputChunk execOutput(String name, ExecOutputRequest request) throws InterruptedException {
    return sandboxes.execOutput(name, request.validated());
  }

  @Override
  public boolean reattaches(String name) {
    return sandboxes.reattaches(name);
  }

  @Override
  public LogChunk logs(String name, LogRequest request) {
    return sandboxes.logs(name, request.validated());
  }

  @Override
  public void delete(String name) {
    sandboxes.delete(name);
  }

  @Override
  public VolumeState createVolume(String name, VolumeSpec spec, SandboxOwner owner) {
    VolumeSpec.validName(name);
    return volumes.createVolume(name, (spec == null ? VolumeSpec.defaults() : spec).validated(),
        Objects.requireNonNull(owner, "owner"));
  }

  @Override
  public VolumeState inspectVolume(String name) {
    return volumes.inspectVolume(name);
  }

  @Override
  public VolumeState awaitVolumeChange(String name, String known, Duration maxWait)
      throws InterruptedException {
    return volumes.awaitVolumeChange(name, known, maxWait);
  }

  @Override
  public List<String> attachedTo(String volume) {
    return volumes.attachedTo(volume);
  }

  @Override
  public void deleteVolume(String name) {
    volumes.deleteVolume(name);
  }

  @Override
  public List<FileEntry> listFiles(String volume, String path) {
    return files.listFiles(volume, path);
  }

  @Override
  public FileChunk readFile(String volume, String path, long offset, int length) {
    return files.readFile(volume, path, offset, length);
  }

  @Override
  public FileEntry writeFile(String volume, String path, byte[] data) {
    return files.writeFile(volume, path, data);
  }

  @Override
  public void moveFile(String volume, String from, String to) {
    files.moveFile(volume, from, to);
  }
}
