package dev.sandboxes.cli;

import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.model.VolumeStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox volume ...}: storage that outlives sandboxes, and its files. */
@Command(name = "volume", mixinStandardHelpOptions = true,
    description = "Manage volumes: storage that outlives sandboxes, mounted with create --volume /PATH=NAME.",
    subcommands = {VolumeCommand.Create.class, VolumeCommand.ListVolumes.class, VolumeCommand.Get.class,
        VolumeCommand.Delete.class, VolumeCommand.Ls.class, VolumeCommand.Read.class,
        VolumeCommand.Write.class, VolumeCommand.Move.class})
final class VolumeCommand extends CommandGroup {

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a volume and wait until it is ready (prints its name).")
  static final class Create extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Option(names = "--size", paramLabel = "Q", description = "capacity, e.g. 1Gi (default: the worker's)")
    String size;
    @Option(names = "--storage-class", paramLabel = "C", description = "Kubernetes storage class (default: the worker's)")
    String storageClass;
    @Option(names = "--access-mode", paramLabel = "M", description = "ReadWriteOnce, ReadWriteMany, ReadOnlyMany")
    String accessMode;
    @Option(names = "--timeout", paramLabel = "D", converter = DurationConverter.class, defaultValue = "2m",
        description = "how long to wait for ready (default ${DEFAULT-VALUE})")
    Duration timeout;
    @Option(names = "--no-wait", description = "return once the volume's workflow started")
    boolean noWait;

    @Override
    int act(PrintWriter out) {
      VolumeStatus status = global.volumes().create(name, new VolumeSpec(size, storageClass, accessMode));
      if (!noWait) {
        status = global.volumes().awaitReady(name, timeout);
      }
      Output.print(out, global.json, json(status), name);
      if (VolumeState.FAILED.equals(status.phase())) {
        throw new CliException(ExitCodes.OPERATIONAL, "volume \"" + name + "\" failed: " + status.message());
      }
      if (!noWait && VolumeState.PENDING.equals(status.phase())) {
        throw new CliException(ExitCodes.OPERATIONAL, "volume \"" + name + "\" is still pending after "
            + timeout.toSeconds() + "s" + (status.reason() == null ? "" : " (" + status.reason() + ")"));
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List volumes.")
  static final class ListVolumes extends ClientCommand {
    @Override
    int act(PrintWriter out) {
      List<VolumeStatus> volumes = global.volumes().list();
      if (global.json) {
        Output.printJson(out, volumes.stream().map(VolumeCommand::json).toList());
        return ExitCodes.OK;
      }
      Table table = new Table("NAME", "PHASE", "SIZE", "CREATED", "ATTACHED TO");
      for (VolumeStatus v : volumes) {
        table.row(v.name(), v.phase(), v.size(), Output.time(v.createdAt()),
            v.attachedTo().isEmpty() ? null : String.join(",", v.attachedTo()));
      }
      table.print(out);
      return ExitCodes.OK;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Print a volume's status.")
  static final class Get extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    int act(PrintWriter out) {
      VolumeStatus v = global.volumes().get(name);
      if (global.json) {
        Output.printJson(out, json(v));
        return ExitCodes.OK;
      }
      json(v).forEach((key, value) -> {
        if (value != null) {
          out.printf("%-12s %s%n", key + ":", value instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : value);
        }
      });
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a volume and its data; refused while unfinished sandboxes mount it.")
  static final class Delete extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    int act(PrintWriter out) {
      VolumeStatus v = global.volumes().delete(name);
      Output.print(out, global.json, json(v), "deleted " + name);
      return ExitCodes.OK;
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List files in a volume.")
  static final class Ls extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "PATH", defaultValue = "/", description = "default ${DEFAULT-VALUE}")
    String path;

    @Override
    int act(PrintWriter out) {
      List<FileEntry> entries = global.volumes().listFiles(name, path);
      if (global.json) {
        Output.printJson(out, entries);
        return ExitCodes.OK;
      }
      for (FileEntry e : entries) {
        out.printf("%-4s %12d %-20s %s%n", e.type(), e.size(), Output.time(e.modifiedAt()),
            e.path() + (FileEntry.DIR.equals(e.type()) ? "/" : ""));
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "read", mixinStandardHelpOptions = true, description = "Write a file's bytes to stdout.")
  static final class Read extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "PATH") String path;
    @Option(names = "--offset", paramLabel = "N", defaultValue = "0", description = "first byte (default 0)")
    long offset;
    @Option(names = "--length", paramLabel = "N", description = "bytes to read, 1 or more (default: to the end)")
    Long length;

    @Option(names = {"-o", "--output"}, paramLabel = "F", description = "write to this file instead of stdout")
    Path output;

    @Option(names = "--progress", negatable = true, description = "a progress line on stderr (bytes copied of "
        + "the total, rate, ETA); default: when run in a terminal (stdin and stdout)")
    Boolean progress;

    @Override
    int act(PrintWriter out) throws IOException {
      if (offset < 0) {
        throw new CliException(ExitCodes.USAGE, "--offset: must be 0 or more, got " + offset);
      }
      if (length != null && length < 1) {
        throw new CliException(ExitCodes.USAGE, "--length: must be 1 or more, got " + length);
      }
      long range = length == null ? -1 : length; // -1: to the end
      if (output != null) {
        // the whole range lands under a temporary name first: no half-written file on failure
        Path partial = output.resolveSibling("." + output.getFileName() + ".partial");
        try (OutputStream file = Files.newOutputStream(partial); TransferLine line = transferLine()) {
          global.volumes().readFile(name, path, offset, range, file, line);
        } catch (RuntimeException | IOException e) {
          Files.deleteIfExists(partial);
          throw e;
        }
        Files.move(partial, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return ExitCodes.OK;
      }
      // file content is bytes, not text: straight to the process's stdout
      out.flush();
      try (TransferLine line = transferLine()) {
        global.volumes().readFile(name, path, offset, range, System.out, line);
      }
      System.out.flush();
      return ExitCodes.OK;
    }

    private TransferLine transferLine() {
      boolean terminal = System.console() != null;
      return new TransferLine(name + ":" + path,
          ProgressLine.wanted(progress, terminal) ? spec.commandLine().getErr() : null, terminal);
    }
  }

  /**
   * The progress of a file copy ({@code NAME:PATH: 12.0 MiB / 40.0 MiB, 3.1 MiB/s, ETA 9s}), on
   * stderr every {@link #EVERY} while it runs; nothing when {@code err} is null.
   */
  static final class TransferLine implements dev.sandboxes.client.VolumeClient.TransferProgress, AutoCloseable {
    static final java.time.Duration EVERY = java.time.Duration.ofSeconds(1);
    private final java.util.concurrent.atomic.AtomicLong copied = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong(-1);
    private final ProgressLine line;

    TransferLine(String what, PrintWriter err, boolean terminal) {
      line = err == null ? null
          : ProgressLine.start(err, terminal, EVERY, elapsed -> render(what, copied.get(), total.get(), elapsed));
    }

    @Override
    public void copied(long soFar, long all) {
      copied.set(soFar);
      total.set(all);
    }

    /** One line; null before the first chunk (its total is not known yet). */
    static String render(String what, long copied, long total, java.time.Duration elapsed) {
      if (total < 0) {
        return null;
      }
      StringBuilder text = new StringBuilder(what).append(": ").append(size(copied)).append(" / ").append(size(total));
      double seconds = elapsed.toMillis() / 1000.0;
      if (copied > 0 && seconds > 0) {
        double rate = copied / seconds;
        text.append(", ").append(size((long) rate)).append("/s");
        if (total > copied) {
          text.append(", ETA ").append(ProgressLine.compact(java.time.Duration.ofSeconds((long) Math.ceil((total - copied) / rate))));
        }
      }
      return text.toString();
    }

    /** Bytes as {@code 512 B}, {@code 1.5 KiB}, {@code 12.0 MiB}, {@code 2.0 GiB}. */
    static String size(long bytes) {
      if (bytes < 1024) {
        return bytes + " B";
      }
      String[] units = {"KiB", "MiB", "GiB", "TiB"};
      double value = bytes / 1024.0;
      int unit = 0;
      while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
      }
      return String.format("%.1f %s", value, units[unit]);
    }

    @Override
    public void close() {
      if (line != null) {
        line.close();
      }
    }
  }

  @Command(name = "write", mixinStandardHelpOptions = true,
      description = "Replace a file's content atomically, from --file or stdin (at most 1 MiB).")
  static final class Write extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "PATH") String path;
    @Option(names = "--file", paramLabel = "F", description = "read the content from this file (default: stdin)")
    Path file;

    @Override
    int act(PrintWriter out) throws IOException {
      byte[] data;
      if (file != null) {
        try (InputStream in = Files.newInputStream(file)) {
          data = readAtMost(in);
        } catch (IOException e) {
          throw new CliException(ExitCodes.USAGE, "--file: must be a readable file, got " + file
              + " (" + GlobalOptions.rootMessage(e) + ")");
        }
      } else {
        data = readAtMost(System.in);
      }
      FileEntry written = global.volumes().writeFile(name, path, data);
      Output.print(out, global.json, written, written.path() + " (" + written.size() + " bytes)");
      return ExitCodes.OK;
    }

    /** Reads one byte past the limit at most, so that an oversized input is refused by the rule. */
    private static byte[] readAtMost(InputStream in) throws IOException {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      byte[] chunk = new byte[64 * 1024];
      int n;
      while (buffer.size() <= VolumePaths.MAX_TRANSFER && (n = in.read(chunk)) > 0) {
        buffer.write(chunk, 0, n);
      }
      return buffer.toByteArray();
    }
  }

  @Command(name = "mv", mixinStandardHelpOptions = true,
      description = "Rename a file or directory in a volume; refused when TO exists.")
  static final class Move extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "FROM") String from;
    @Parameters(index = "2", paramLabel = "TO") String to;

    @Override
    int act(PrintWriter out) {
      global.volumes().moveFile(name, from, to);
      Output.print(out, global.json, Map.of("from", from, "to", to), from + " -> " + to);
      return ExitCodes.OK;
    }
  }

  static Map<String, Object> json(VolumeStatus v) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", v.name());
    o.put("phase", v.phase());
    o.put("reason", v.reason());
    o.put("message", v.message());
    o.put("size", v.size() != null ? v.size() : v.spec() == null ? null : v.spec().size());
    o.put("storageClass", v.spec() == null ? null : v.spec().storageClass());
    o.put("accessMode", v.spec() == null ? null : v.spec().accessMode());
    o.put("createdAt", v.createdAt());
    o.put("readyAt", v.readyAt());
    o.put("deletedAt", v.deletedAt());
    o.put("storage", v.ref() == null ? null : v.ref().toString());
    o.put("attachedTo", v.attachedTo());
    return o;
  }
}
