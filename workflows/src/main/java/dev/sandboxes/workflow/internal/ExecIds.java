package dev.sandboxes.workflow.internal;

import dev.sandboxes.model.ExecRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The IDs the workflows give execs that come without one (deterministic: the same run gives the
 * same ID on replay). An ID only has to be unique within its sandbox.
 */
final class ExecIds {
  private ExecIds() {}

  /**
   * The exec ID of an exec update: the update's ID itself when it fits {@link ExecRequest#ID_PATTERN}
   * (the SDKs' default update IDs, UUIDs, do), else a digest of it. A client that repeats an
   * update under the same ID therefore names the same exec.
   */
  static String ofUpdate(String updateId) {
    if (ExecRequest.ID_PATTERN.matcher(updateId).matches()) {
      return updateId;
    }
    return "u-" + digest(updateId);
  }

  static String digest(String text) {
    try {
      byte[] sum = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sum, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
