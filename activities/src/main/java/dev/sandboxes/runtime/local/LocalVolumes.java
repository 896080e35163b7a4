package dev.sandboxes.runtime.local;

import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.VolumeInUseException;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.runtime.OwnedObject;
import dev.sandboxes.runtime.Ownership;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.VolumeFilePlatform;
import dev.sandboxes.runtime.VolumePlatform;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/**
 * The local runtime's volumes: a directory {@code <root>/volumes/<name>/data} next to a
 * {@code volume.properties} that records the name, creation time, owner and requested size. A
 * volume exists once its properties do; they are written first on create (atomically, by
 * rename) and removed first on delete, so a crash at any point leaves either a whole volume or
 * data that the next create of the name clears.
 *
 * <p>Which sandboxes use a volume is the sandboxes' business: it is asked of {@code users}.
 */
final class LocalVolumes implements VolumePlatform, VolumeFilePlatform {
  private static final String PROPERTIES = "volume.properties";
  private static final String OWNER_WORKFLOW = "ownerWorkflowId";
  private static final String OWNER_RUN = "ownerFirstRunId";

  private final Path volumes;
  private final String host;
  private final Function<String, List<String>> users;
  private final NamedLocks locks = new NamedLocks();

  /**
   * @param volumes the directory that holds one directory per volume
   * @param users the live sandboxes that mount a volume, by the volume's name
   */
  LocalVolumes(Path volumes, String host, Function<String, List<String>> users) {
    this.volumes = volumes;
    this.host = host;
    this.users = users;
  }

  @Override
  public VolumeState createVolume(String name, VolumeSpec spec, SandboxOwner owner) {
    synchronized (locks.of(name)) {
      Path dir = volumeDir(name);
      Path meta = dir.resolve(PROPERTIES);
      if (Files.exists(meta)) {
        Properties p = properties(name);
        Ownership.require("volume \"" + name + "\"", ownerOf(p), owner);
        return inspectVolume(name);
      }
      Properties p = new Properties();
      p.setProperty("name", name);
      p.setProperty("createdAt", Instant.now().toString());
      p.setProperty(OWNER_WORKFLOW, owner.workflowId());
      p.setProperty(OWNER_RUN, owner.firstRunId());
      if (spec.size() != null) {
        // Recorded only: a local volume is a plain directory without a quota.
        p.setProperty("size", spec.size());
      }
      try {
        // Data left by a crash between these two steps belongs to no volume: start empty.
        Directories.deleteTree(dir.resolve("data"));
        Files.createDirectories(dir.resolve("data"));
        // Written under a temporary name and renamed: a volume exists once its owner is recorded.
        Path temp = dir.resolve(PROPERTIES + ".tmp");
        try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
          p.store(out, "local volume");
        }
        Files.move(temp, meta, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw PlatformException.unavailable("cannot create volume \"" + name + "\"", e);
      }
      return inspectVolume(name);
    }
  }

  @Override
  public VolumeState inspectVolume(String name) {
    Properties p = properties(name);
    return new VolumeState(name, VolumeState.READY, null, p.getProperty("size"),
        new RuntimeRef(LocalRuntime.KIND, host, volumeDir(name).toString(), null));
  }

  @Override
  public void deleteVolume(String name) {
    synchronized (locks.of(name)) {
      List<String> attached = users.apply(name);
      if (!attached.isEmpty()) {
        throw new VolumeInUseException(name, attached);
      }
      Path dir = volumeDir(name);
      // The record goes first: a crash half-way leaves no volume, only data a re-create clears.
      try {
        Files.deleteIfExists(dir.resolve(PROPERTIES));
      } catch (IOException e) {
        throw PlatformException.unavailable("cannot delete volume \"" + name + "\"", e);
      }
      Directories.deleteTree(dir);
    }
  }

  /** The files of an existing volume. */
  /**
   * A local volume is a directory, ready as soon as it exists, and its phase never changes
   * afterwards: there is nothing to wait for, so this returns the current state at once.
   */
  @Override
  public VolumeState awaitVolumeChange(String name, String known, Duration maxWait) {
    return inspectVolume(name);
  }

  @Override
  public List<String> attachedTo(String volume) {
    return users.apply(volume);
  }

  @Override
  public List<FileEntry> listFiles(String volume, String path) {
    return files(volume).list(path);
  }

  @Override
  public FileChunk readFile(String volume, String path, long offset, int length) {
    return files(volume).read(path, offset, length);
  }

  @Override
  public FileEntry writeFile(String volume, String path, byte[] data) {
    return files(volume).write(path, data);
  }

  @Override
  public void moveFile(String volume, String from, String to) {
    files(volume).move(from, to);
  }

  VolumeDirectory files(String volume) {
    properties(volume);
    return new VolumeDirectory(volume, volumeDir(volume).resolve("data"));
  }

  /** The host directory a sandbox sees where it mounts the volume; it may not exist. */
  Path dataOf(String name) {
    return volumeDir(name).resolve("data");
  }

  /** Every volume with its properties, with its owner and the sandboxes attached to it. */
  List<OwnedObject> owned() {
    List<OwnedObject> objects = new ArrayList<>();
    for (Path dir : Directories.children(volumes)) {
      String name = dir.getFileName().toString();
      if (Files.exists(dir.resolve(PROPERTIES))) {
        Properties p = properties(name);
        objects.add(new OwnedObject(OwnedObject.LOCAL_VOLUME, name, ownerOf(p),
            parseInstant(p.getProperty("createdAt")), users.apply(name)));
      }
    }
    return objects;
  }

  /** Deletes the volume while it still records {@code object}'s owner. */
  boolean deleteOwned(OwnedObject object) {
    synchronized (locks.of(object.name())) {
      if (!Files.exists(volumeDir(object.name()).resolve(PROPERTIES))) {
        return false;
      }
      if (!ownerOf(properties(object.name())).equals(object.owner())) {
        return false;
      }
      deleteVolume(object.name());
      return true;
    }
  }

  /** The owner a volume's properties record. */
  private static SandboxOwner ownerOf(Properties volume) {
    return new SandboxOwner(volume.getProperty(OWNER_WORKFLOW), volume.getProperty(OWNER_RUN));
  }

  private Properties properties(String name) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(volumeDir(name).resolve(PROPERTIES), StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      throw new SandboxNotFoundException("volume \"" + name + "\" does not exist on " + host);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read volume \"" + name + "\"", e);
    }
    return p;
  }

  /** Names become paths: validating them keeps {@code ..} and {@code /} out of the root. */
  private Path volumeDir(String name) {
    return volumes.resolve(VolumeSpec.validName(name));
  }


  private static Instant parseInstant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
