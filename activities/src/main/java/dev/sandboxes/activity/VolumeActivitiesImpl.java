package dev.sandboxes.activity;

import static dev.sandboxes.activity.ActivityCalls.call;

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
    return call(() -> runtime.createVolume(name, spec, owner));
  }

  @Override
  public VolumeState awaitChange(String name, String known) {
    return ActivityCalls.awaitHeartbeating(awaitSlice, heartbeatEvery,
        wait -> runtime.awaitVolumeChange(name, known, wait), state -> !state.phase().equals(known));
  }

  @Override
  public void delete(String name) {
    ActivityCalls.run(() -> runtime.deleteVolume(name));
  }

  @Override
  public FileListing listFiles(String volume, String path) {
    return call(() -> {
      String valid = VolumePaths.valid("path", path);
      return new FileListing(valid, runtime.listFiles(volume, valid));
    });
  }

  @Override
  public FileChunk readFile(String volume, String path, long offset, int length) {
    return call(() -> {
      VolumePaths.validRange(offset, length);
      return runtime.readFile(volume, VolumePaths.validFile("path", path), offset, length);
    });
  }

  @Override
  public FileEntry writeFile(String volume, String path, byte[] data) {
    return call(() -> {
      VolumePaths.validContent(data);
      return runtime.writeFile(volume, VolumePaths.validFile("path", path), data);
    });
  }

  @Override
  public void moveFile(String volume, String from, String to) {
    ActivityCalls.run(() -> runtime.moveFile(volume, VolumePaths.validFile("from", from),
        VolumePaths.validFile("to", to)));
  }
}
