package dev.sandboxes.runtime.local;

import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * What the local runtime remembers of one sandbox on disk ({@code sandbox.properties}): the
 * owner, the image it was asked for, the main process and how it ended. It survives a worker
 * restart, which is how a restarted runtime tells a finished sandbox from one it lost.
 *
 * @param pid the main process on the host, with {@code pidStartedAt} to tell it from a reused pid
 * @param exitCode set once the main process ended
 * @param reason set when the runtime itself failed the sandbox (the process never started, the
 *     worker was lost, the ttl ran out)
 * @param worker the worker process whose runtime created the sandbox, as {@link #workerId}
 */
record SandboxRecord(
    String name,
    String image,
    SandboxOwner owner,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Long pid,
    Instant pidStartedAt,
    Integer exitCode,
    String reason,
    String message,
    String worker) {

  static final String FILE = "sandbox.properties";
  static final String WORKER_RESTARTED = SandboxReason.WORKER_RESTARTED.wireName();
  private static final String WORKER_RESTARTED_MESSAGE =
      "the worker that ran this sandbox stopped or restarted before its main process ended; "
          + "the process is no longer observed (its output up to then is in the logs)";

  static SandboxRecord created(String name, String image, SandboxOwner owner, Instant now) {
    return new SandboxRecord(name, image, owner, now, null, null, null, null, null, null, null,
        workerId(ProcessHandle.current()));
  }

  SandboxRecord started(Instant at, long processId, Instant processStartedAt) {
    return new SandboxRecord(name, image, owner, createdAt, at, null, processId, processStartedAt, null, null, null,
        worker);
  }

  SandboxRecord exited(Instant at, int code) {
    return new SandboxRecord(name, image, owner, createdAt, startedAt, at, pid, pidStartedAt, code, null, null,
        worker);
  }

  SandboxRecord failed(Instant at, String why, String detail) {
    return new SandboxRecord(name, image, owner, createdAt, startedAt, at, pid, pidStartedAt, exitCode, why, detail,
        worker);
  }

  /** The end of a sandbox whose worker died before its main process ended. */
  SandboxRecord lost(Instant at) {
    return failed(at, WORKER_RESTARTED, WORKER_RESTARTED_MESSAGE);
  }

  /** {@code <pid>@<start instant>}: names a process and tells it from a later one with its pid. */
  static String workerId(ProcessHandle process) {
    return process.pid() + "@" + process.info().startInstant().map(Instant::toString).orElse("?");
  }

  /** Whether the worker that created this sandbox still runs; false when that is unknown. */
  boolean workerAlive() {
    if (worker == null || !worker.contains("@")) {
      return false;
    }
    return ProcessHandle.of(Long.parseLong(worker.substring(0, worker.indexOf('@'))))
        .filter(ProcessHandle::isAlive)
        .map(SandboxRecord::workerId)
        .map(worker::equals)
        .orElse(false);
  }

  boolean ended() {
    return exitCode != null || reason != null;
  }

  /**
   * The sandbox's state: a pure function of this record and whether this runtime holds (or is
   * starting) the main process. A record that never ended whose process this runtime does not hold was
   * started by an earlier worker: nobody can observe that process any more, so it counts as
   * failed.
   */
  RuntimeState state(boolean heldByThisRuntime, RuntimeRef ref) {
    if (reason != null) {
      return new RuntimeState(SandboxPhase.FAILED, reason, message, exitCode, startedAt, finishedAt, ref);
    }
    if (exitCode != null) {
      return exitCode == 0
          ? new RuntimeState(SandboxPhase.SUCCEEDED, null, null, 0, startedAt, finishedAt, ref)
          : new RuntimeState(SandboxPhase.FAILED, "Error", "main process exited with code " + exitCode,
              exitCode, startedAt, finishedAt, ref);
    }
    if (heldByThisRuntime && startedAt == null) {
      return new RuntimeState(SandboxPhase.CREATING, null, null, null, null, null, ref);
    }
    if (heldByThisRuntime) {
      return new RuntimeState(SandboxPhase.RUNNING, null, null, null, startedAt, null, ref);
    }
    return new RuntimeState(SandboxPhase.FAILED, WORKER_RESTARTED, WORKER_RESTARTED_MESSAGE,
        null, startedAt, null, ref);
  }

  /** The record in {@code dir}, or empty when there is none (never created, or half-created). */
  static Optional<SandboxRecord> read(Path dir) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(dir.resolve(FILE), StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve(FILE), e);
    }
    return Optional.of(new SandboxRecord(
        p.getProperty("name"),
        p.getProperty("image"),
        new SandboxOwner(p.getProperty("ownerWorkflowId"), p.getProperty("ownerFirstRunId")),
        instant(p, "createdAt"),
        instant(p, "startedAt"),
        instant(p, "finishedAt"),
        p.containsKey("pid") ? Long.valueOf(p.getProperty("pid")) : null,
        instant(p, "pidStartedAt"),
        p.containsKey("exitCode") ? Integer.valueOf(p.getProperty("exitCode")) : null,
        p.getProperty("reason"),
        p.getProperty("message"),
        p.getProperty("worker")));
  }

  /** Writes the record atomically, so a reader or a crash never sees half of it. */
  void write(Path dir) {
    Properties p = new Properties();
    put(p, "name", name);
    put(p, "image", image);
    put(p, "ownerWorkflowId", owner.workflowId());
    put(p, "ownerFirstRunId", owner.firstRunId());
    put(p, "createdAt", createdAt);
    put(p, "startedAt", startedAt);
    put(p, "finishedAt", finishedAt);
    put(p, "pid", pid);
    put(p, "pidStartedAt", pidStartedAt);
    put(p, "exitCode", exitCode);
    put(p, "reason", reason);
    put(p, "message", message);
    put(p, "worker", worker);
    Path target = dir.resolve(FILE);
    Path temp = dir.resolve(FILE + ".tmp");
    try {
      try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        p.store(out, "local sandbox");
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  private static void put(Properties p, String key, Object value) {
    if (value != null) {
      p.setProperty(key, value.toString());
    }
  }

  private static Instant instant(Properties p, String key) {
    String value = p.getProperty(key);
    return value == null ? null : Instant.parse(value);
  }
}
