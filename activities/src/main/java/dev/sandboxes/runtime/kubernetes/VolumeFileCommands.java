package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.FileEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * The argv of each volume file operation run in a volume helper pod, and the parsing of what
 * they print, as pure functions.
 *
 * <p>Every operation is {@code sh -c SCRIPT sh OP ARGS...}: the script is a constant and every
 * path and chunk travels as a positional argument, never as shell text. Paths are rooted at
 * {@link #MOUNT}; the script resolves them with symlinks followed ({@code realpath}) and refuses
 * any that leads out of the mount, and it answers with exit codes the runtime maps to typed
 * errors. Listings are NUL-separated records {@code TYPE/SIZE/MTIME/NAME}, so names with
 * spaces, tabs, newlines or any other byte but NUL and '/' survive.
 *
 * <p>Writes stream their content on stdin, {@link #STDIN_CHUNK_BYTES} per exec, each read by
 * {@code head -c N}, into a hidden temporary file next to the target, which the last exec
 * renames over the target ({@code rename(2)}: atomic). {@code head -c N} matters: fabric8 speaks
 * only the {@code v4.channel.k8s.io} exec protocol, which cannot signal the end of stdin, so a
 * command that reads to end of input never ends; one that reads a known count does. After each
 * chunk the script compares the temporary file's size with what should have arrived, so a short
 * stream fails the write instead of committing a truncated file. Content never travels in argv:
 * that would put it into the exec request's URL (and API-server audit logs), with a 128 KiB
 * limit per argument.
 */
public final class VolumeFileCommands {
  /** Where the helper pod mounts the volume. */
  public static final String MOUNT = "/volume";
  /**
   * Content bytes per write exec. Measured on the rig with fabric8's exec: single stdin streams of
   * 16 KiB to 1 MiB, read by {@code head -c}, arrived whole (1 MiB in about 0.5 s); a bounded
   * chunk keeps each exec short and its timeout meaningful.
   */
  public static final int STDIN_CHUNK_BYTES = 256 * 1024;
  /**
   * Content bytes per read exec: about 350 KB of base64 output, which keeps each exec short and
   * its timeout meaningful. (Reads of 1 MiB in one exec broke now and then on the rig with
   * "WebSocket connection closed unexpectedly", and so did these, less often: the end of a large
   * exec output was lost on the client; the runtime runs these execs so that it is not, see
   * {@code KubernetesGateway.execToTheEnd}.)
   */
  public static final int READ_CHUNK_BYTES = 256 * 1024;

  /** The file or directory does not exist. */
  public static final int MISSING = 3;
  /** A directory was named where a file is needed. */
  public static final int IS_DIRECTORY = 4;
  /** The target of a move exists. */
  public static final int EXISTS = 5;
  /** The first path leads outside the volume. */
  public static final int OUTSIDE_FIRST = 6;
  /** The second path leads outside the volume. */
  public static final int OUTSIDE_SECOND = 7;
  /** A parent directory cannot be created (a file is in the way). */
  public static final int NOT_A_DIRECTORY = 8;
  /** Fewer bytes arrived on stdin than were sent. */
  public static final int SHORT_WRITE = 9;

  static final String SCRIPT = """
      set -o pipefail
      v=/volume
      in_volume() { case "$1" in "$v"|"$v"/*) return 0;; esac; return 1; }
      follow() { [ -e "$1" ] || exit 3; r=$(realpath "$1") || exit 3; in_volume "$r" || exit "$2"; }
      parent() { d=${1%/*}; while [ ! -e "$d" ] && [ ! -L "$d" ]; do d=${d%/*}; done; r=$(realpath "$d") || exit 3; in_volume "$r" || exit "$2"; }
      meta() { stat -c '%F/%s/%Y' -- "$1" | tr -d '\\n'; }
      op=$1; shift
      case "$op" in
        list)
          follow "$1" 6
          if [ -d "$1" ]; then
            cd "$1" || exit 1
            for f in * .[!.]* ..?*; do
              if [ -e "$f" ] || [ -L "$f" ]; then printf '%s/%s\\0' "$(meta "$f")" "$f"; fi
            done
          else
            printf '%s/\\0' "$(meta "$1")"
          fi ;;
        read)
          follow "$1" 6
          [ -d "$1" ] && exit 4
          stat -L -c %s -- "$1" || exit 1
          dd if="$1" bs=65536 skip="$2" count="$3" iflag=skip_bytes,count_bytes 2>/dev/null | base64 ;;
        put)
          p=$1 t=$2 first=$3 last=$4 n=$5 total=$6
          if [ "$first" = 1 ]; then
            parent "$p" 6
            if [ -d "$p" ] && [ ! -L "$p" ]; then exit 4; fi
            mkdir -p "${p%/*}" || exit 8
            parent "$p" 6
            : > "$t" || exit 1
          fi
          if [ "$n" -gt 0 ]; then head -c "$n" >> "$t" || exit 1; fi
          [ "$(stat -c %s -- "$t")" = "$total" ] || exit 9
          if [ "$last" = 1 ]; then
            if [ -d "$p" ] && [ ! -L "$p" ]; then rm -f "$t"; exit 4; fi
            mv -f -T "$t" "$p" || exit 1
            meta "$p"
          fi ;;
        abort) rm -f "$1" ;;
        move)
          parent "$1" 6
          [ -e "$1" ] || [ -L "$1" ] || exit 3
          parent "$2" 7
          if [ -e "$2" ] || [ -L "$2" ]; then exit 5; fi
          mkdir -p "${2%/*}" || exit 8
          parent "$2" 7
          mv -n -T "$1" "$2" || exit 1
          if [ -e "$1" ] || [ -L "$1" ]; then exit 5; fi ;;
        *) exit 2 ;;
      esac
      """;

  private VolumeFileCommands() {}

  /** {@code path} (normalised, absolute in the volume) as the helper sees it. */
  public static String mounted(String path) {
    return path.equals("/") ? MOUNT : MOUNT + path;
  }

  public static List<String> list(String path) {
    return argv("list", mounted(path));
  }

  public static List<String> read(String path, long offset, int length) {
    return argv("read", mounted(path), Long.toString(offset), Integer.toString(length));
  }

  /** The hidden temporary file a write of {@code path} fills before the rename. */
  public static String temporary(String path, String unique) {
    int slash = path.lastIndexOf('/');
    return mounted(path.substring(0, slash + 1) + "." + path.substring(slash + 1) + ".upload-"
        + unique);
  }

  /** One exec: its argv and what to send on its stdin ({@code null}: nothing). */
  public record Exec(List<String> argv, byte[] stdin) {}

  /**
   * The execs that write {@code data} to {@code path} through {@code temporary}: the first
   * checks the path and creates the empty temporary file, each appends its chunk from stdin and
   * checks the size so far, the last renames it over the target and prints the target's
   * metadata. Never empty.
   */
  public static List<Exec> write(String path, String temporary, byte[] data) {
    List<Exec> execs = new ArrayList<>();
    int start = 0;
    do {
      int end = Math.min(data.length, start + STDIN_CHUNK_BYTES);
      List<String> argv = argv("put", mounted(path), temporary, start == 0 ? "1" : "0",
          end == data.length ? "1" : "0", Integer.toString(end - start), Integer.toString(end));
      execs.add(new Exec(argv, end > start ? java.util.Arrays.copyOfRange(data, start, end) : null));
      start = end;
    } while (start < data.length);
    return execs;
  }

  /** Removes the temporary file of a write that failed half-way. */
  public static List<String> abort(String temporary) {
    return argv("abort", temporary);
  }

  public static List<String> move(String from, String to) {
    return argv("move", mounted(from), mounted(to));
  }

  /**
   * The entries of a {@code list} output for the directory {@code path}, sorted by path; a
   * single record without a name is the entry of {@code path} itself (a file).
   */
  public static List<FileEntry> parseListing(String path, String output) {
    List<FileEntry> entries = new ArrayList<>();
    for (String record : output.split("\0")) {
      if (record.isEmpty()) {
        continue;
      }
      String[] parts = record.split("/", 4);
      if (parts.length < 4) {
        throw new IllegalArgumentException("unexpected listing record: " + record);
      }
      String name = parts[3];
      String entryPath = name.isEmpty() ? path : path.equals("/") ? "/" + name : path + "/" + name;
      entries.add(entry(entryPath, parts[0], parts[1], parts[2]));
    }
    entries.sort(Comparator.comparing(FileEntry::path));
    return entries;
  }

  /** The entry printed by the last exec of a write ({@code TYPE/SIZE/MTIME}). */
  public static FileEntry parseEntry(String path, String output) {
    String[] parts = output.trim().split("/", 3);
    if (parts.length < 3) {
      throw new IllegalArgumentException("unexpected file metadata: " + output);
    }
    return entry(path, parts[0], parts[1], parts[2]);
  }

  /** A {@code read} output: the file's size on the first line, then the bytes in base64. */
  public static ReadOutput parseRead(String output) {
    int newline = output.indexOf('\n');
    if (newline < 0) {
      throw new IllegalArgumentException("unexpected read output: no size line");
    }
    long size = Long.parseLong(output.substring(0, newline).trim());
    byte[] data = Base64.getMimeDecoder().decode(
        output.substring(newline + 1).getBytes(StandardCharsets.US_ASCII));
    return new ReadOutput(size, data);
  }

  public record ReadOutput(long size, byte[] data) {}

  private static FileEntry entry(String path, String statType, String size, String mtime) {
    String type = switch (statType) {
      case "regular file", "regular empty file" -> FileEntry.FILE;
      case "directory" -> FileEntry.DIR;
      case "symbolic link" -> FileEntry.LINK;
      default -> FileEntry.OTHER;
    };
    return new FileEntry(path, type, type.equals(FileEntry.FILE) ? Long.parseLong(size) : 0,
        Instant.ofEpochSecond(Long.parseLong(mtime)));
  }

  private static List<String> argv(String op, String... args) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", SCRIPT, "sh", op));
    argv.addAll(List.of(args));
    return argv;
  }
}
