package dev.sandboxes.activity;

import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.FileListing;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.runtime.SandboxRuntime;
import java.time.Duration;

/** The one implementation of {@link VolumeActivities}, over any {@link SandboxRuntime}. */
public class VolumeActivitiesImpl implements VolumeActivities {
  private final SandboxRuntime runtime;
  private final Duration awaitSlice;
  private final Duration heartbeatEvery;

  public VolumeActivitiesImpl(SandboxRuntime runtime) {
    this(runtime, SandboxActivitiesImpl.DEFAULT_AWAIT_SLICE, SandboxActivitiesImpl.DEFAULT_HEARTBEAT_EVERY);
  }

  public VolumeActivitiesImpl(SandboxRuntime runtime, Duration awaitSlice, Duration heartbeatEvery) {
    this.runtime = runtime;
    this.awaitSlice = awaitSlice;
    this.heartbeatEvery = heartbeatEvery;
  }

  @Override
  public VolumeState create(String name, VolumeSpec spec, SandboxOwner owner) {
    return ActivityMetrics.volumeOperation("create", () -> runtime.createVolume(name, spec, owner));
  }

  @Override
  public VolumeState awaitChange(String name, String known) {
    return ActivityCalls.awaitHeartbeating(awaitSlice, heartbeatEvery,
        wait -> runtime.awaitVolumeChange(name, known, wait), state -> !state.phase().equals(known));
  }

  @Override
  public void delete(String name) {
    ActivityMetrics.volumeOperation("delete", () -> {
      runtime.deleteVolume(name);
      return null;
    });
  }

  @Override
  public FileListing listFiles(String volume, String path) {
    return ActivityMetrics.volumeOperation("list", () -> {
      String valid = VolumePaths.valid("path", path);
      return new FileListing(valid, runtime.listFiles(volume, valid));
    });
  }

  @Override
  public FileChunk readFile(String volume, String path, long offset, int length) {
    return ActivityMetrics.volumeOperation("read", () -> {
      VolumePaths.validRange(offset, length);
      return runtime.readFile(volume, VolumePaths.validFile("path", path), offset, length);
    });
  }

  @Override
  public FileEntry writeFile(String volume, String path, byte[] data) {
    return ActivityMetrics.volumeOperation("write", () -> {
      VolumePaths.validContent(data);
      return runtime.writeFile(volume, VolumePaths.validFile("path", path), data);
    });
  }

  @Override
  public void moveFile(String volume, String from, String to) {
    ActivityMetrics.volumeOperation("move", () -> {
      runtime.moveFile(volume, VolumePaths.validFile("from", from), VolumePaths.validFile("to", to));
      return null;
    });
  }
}
