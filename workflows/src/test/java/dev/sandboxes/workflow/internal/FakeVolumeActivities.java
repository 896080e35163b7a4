package dev.sandboxes.workflow.internal;

import dev.sandboxes.activity.VolumeActivities;
import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.FileListing;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The volume activities in memory, for tests of the volume workflow alone: storage with an owner,
 * a phase and files, and the contract the workflow relies on (a retried create adopts its own
 * storage and never another owner's; a delete is refused while sandboxes mount the volume; file
 * failures arrive as the model's error types). A test makes storage start pending, become ready,
 * be mounted, or lose the answer of a call that took effect.
 */
final class FakeVolumeActivities implements VolumeActivities {
  private final Map<String, Storage> volumes = new HashMap<>();
  private final List<String> calls = new ArrayList<>();
  private boolean startPending;
  private int answersToLose;

  private static final class Storage {
    SandboxOwner owner;
    String phase;
    final Set<String> attachedTo = new TreeSet<>();
    final Map<String, byte[]> files = new TreeMap<>();
  }

  /** New storage is pending until {@link #makeReady}. */
  synchronized FakeVolumeActivities startPending() {
    startPending = true;
    return this;
  }

  /** The next {@code n} creates or deletes take effect, then fail as if their answer was lost. */
  synchronized FakeVolumeActivities loseAnswers(int n) {
    answersToLose = n;
    return this;
  }

  /** Another owner's storage under {@code name}, as a workflow of an earlier life left it. */
  synchronized void ownedElsewhere(String name) {
    Storage storage = new Storage();
    storage.owner = new SandboxOwner("volume/" + name, "an-earlier-run");
    storage.phase = VolumeState.READY;
    volumes.put(name, storage);
  }

  synchronized void makeReady(String name) {
    volumes.get(name).phase = VolumeState.READY;
    notifyAll();
  }

  synchronized void attach(String name, String sandbox) {
    volumes.get(name).attachedTo.add(sandbox);
  }

  synchronized void detach(String name, String sandbox) {
    volumes.get(name).attachedTo.remove(sandbox);
  }

  synchronized boolean exists(String name) {
    return volumes.containsKey(name);
  }

  synchronized SandboxOwner ownerOf(String name) {
    return volumes.get(name).owner;
  }

  /** Every call so far, as {@code "<activity> <volume>"}, in order. */
  synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  @Override
  public synchronized VolumeState create(String name, VolumeSpec spec, SandboxOwner owner) {
    calls.add("create " + name);
    Storage storage = volumes.get(name);
    if (storage != null && !storage.owner.equals(owner)) {
      throw ApplicationFailure.newNonRetryableFailure("volume \"" + name + "\" already exists",
          SandboxErrors.VOLUME_EXISTS);
    }
    if (storage == null) {
      storage = new Storage();
      storage.owner = owner;
      storage.phase = startPending ? VolumeState.PENDING : VolumeState.READY;
      volumes.put(name, storage);
      loseAnswerIfAsked("create " + name);
    }
    return state(name, storage);
  }

  @Override
  public synchronized VolumeState awaitChange(String name, String known) {
    calls.add("awaitChange " + name);
    return InMemory.awaitChange(this, () -> state(name, existingStorage(name)), s -> !s.phase().equals(known));
  }

  private Storage existingStorage(String name) {
    Storage storage = volumes.get(name);
    if (storage == null) {
      throw ApplicationFailure.newNonRetryableFailure("volume \"" + name + "\" does not exist", SandboxErrors.NOT_FOUND);
    }
    return storage;
  }

  @Override
  public synchronized void delete(String name) {
    calls.add("delete " + name);
    Storage storage = volumes.get(name);
    if (storage == null) {
      return; // gone already: an earlier attempt deleted it
    }
    if (!storage.attachedTo.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure("volume \"" + name + "\" is in use by sandboxes "
          + storage.attachedTo, SandboxErrors.VOLUME_IN_USE);
    }
    volumes.remove(name);
    loseAnswerIfAsked("delete " + name);
  }

  @Override
  public synchronized FileListing listFiles(String volume, String path) {
    calls.add("listFiles " + volume);
    List<FileEntry> entries = files(volume).entrySet().stream().filter(e -> e.getKey().startsWith(path))
        .map(e -> entry(e.getKey(), e.getValue())).toList();
    return new FileListing(path, entries);
  }

  @Override
  public synchronized FileChunk readFile(String volume, String path, long offset, int length) {
    calls.add("readFile " + volume);
    byte[] data = existing(volume, path);
    int from = (int) Math.min(offset, data.length);
    int to = length < 0 ? data.length : (int) Math.min(data.length, from + (long) length);
    return new FileChunk(path, from, Arrays.copyOfRange(data, from, to), data.length);
  }

  @Override
  public synchronized FileEntry writeFile(String volume, String path, byte[] data) {
    calls.add("writeFile " + volume);
    files(volume).put(path, data.clone());
    return entry(path, data);
  }

  @Override
  public synchronized void moveFile(String volume, String from, String to) {
    calls.add("moveFile " + volume);
    byte[] data = existing(volume, from);
    if (files(volume).containsKey(to)) {
      throw ApplicationFailure.newNonRetryableFailure("to: already exists: " + to, SandboxErrors.INVALID_SPEC);
    }
    files(volume).remove(from);
    files(volume).put(to, data);
  }

  private Map<String, byte[]> files(String volume) {
    Storage storage = volumes.get(volume);
    if (storage == null) {
      throw ApplicationFailure.newNonRetryableFailure("no volume named \"" + volume + "\"", SandboxErrors.NOT_FOUND);
    }
    return storage.files;
  }

  private byte[] existing(String volume, String path) {
    byte[] data = files(volume).get(path);
    if (data == null) {
      throw ApplicationFailure.newNonRetryableFailure("no file " + path + " in volume \"" + volume + "\"",
          SandboxErrors.NOT_FOUND);
    }
    return data;
  }

  private void loseAnswerIfAsked(String call) {
    notifyAll();
    if (answersToLose > 0) {
      answersToLose--;
      throw ApplicationFailure.newFailure(call + " took effect, then its answer was lost", "LostAnswer");
    }
  }

  private static VolumeState state(String name, Storage storage) {
    return new VolumeState(name, storage.phase, null, "1Gi", new RuntimeRef("fake", "memory", name, null));
  }

  private static FileEntry entry(String path, byte[] data) {
    return new FileEntry(path, FileEntry.FILE, data.length, Instant.EPOCH);
  }
}
