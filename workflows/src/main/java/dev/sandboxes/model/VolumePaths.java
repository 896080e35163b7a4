package dev.sandboxes.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The rules for paths of the volume file API: absolute inside the volume ({@code /} is the
 * volume's root), no {@code ..} segment, no NUL or newline, at most 4096 bytes. Normalised
 * ({@code //} and {@code .} segments dropped, no trailing slash) before any runtime sees them.
 */
public final class VolumePaths {
  /** The most bytes one read returns and one write accepts (Temporal payloads stay well under 2 MB). */
  public static final int MAX_TRANSFER = 1024 * 1024;
  static final int MAX_PATH = 4096;

  private VolumePaths() {}

  /** {@code path} normalised, or an {@link InvalidSpecException} naming {@code field}. */
  public static String valid(String field, String path) {
    Rules rules = new Rules();
    String normal = check(rules, field, path);
    rules.orThrow("volume file request");
    return normal;
  }

  /** Like {@link #valid} but also refuses the volume's root, which cannot be written or moved. */
  public static String validFile(String field, String path) {
    String normal = valid(field, path);
    if (normal.equals("/")) {
      throw new InvalidSpecException("volume file request",
          List.of(new Violation(field, "must name a file below the volume's root, got \"/\"")));
    }
    return normal;
  }

  /** A read's byte range: offset at least 0, length 1 to {@link #MAX_TRANSFER}. */
  public static void validRange(long offset, int length) {
    Rules rules = new Rules();
    if (offset < 0) {
      rules.add("offset", "must be 0 or more, got " + offset);
    }
    if (length < 1 || length > MAX_TRANSFER) {
      rules.add("length", "must be between 1 and " + MAX_TRANSFER + " bytes, got " + length);
    }
    rules.orThrow("volume file request");
  }

  /** A write's content: at most {@link #MAX_TRANSFER} bytes. */
  public static void validContent(byte[] data) {
    if (data == null || data.length > MAX_TRANSFER) {
      throw new InvalidSpecException("volume file request", List.of(new Violation("data",
          "must be at most " + MAX_TRANSFER + " bytes (1 MiB) per write, got "
              + (data == null ? "none" : data.length + " bytes")
              + "; write larger files from a sandbox that mounts the volume")));
    }
  }

  private static String check(Rules rules, String field, String path) {
    if (path == null || path.isEmpty()) {
      rules.add(field, "must be an absolute path inside the volume such as /data/out.txt, got none");
      return "/";
    }
    if (!path.startsWith("/")) {
      rules.add(field, "must be absolute (start with /), got " + Rules.quote(path));
    }
    if (path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0) {
      rules.add(field, "must not contain NUL or newline characters");
    }
    if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PATH) {
      rules.add(field, "must be at most " + MAX_PATH + " bytes long");
    }
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (segment.equals("..")) {
        rules.add(field, "must not contain \"..\" segments, got " + Rules.quote(path));
        return "/";
      }
      if (!segment.isEmpty() && !segment.equals(".")) {
        segments.add(segment);
      }
    }
    return "/" + String.join("/", segments);
  }
}
