package dev.sandboxes.runtime.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A short digest of a Kubernetes object's spec (16 hex digits of the SHA-256 of its JSON, map
 * entries sorted by key), for names and labels that must change exactly when the spec does, the
 * same on every worker.
 */
final class SpecDigests {
  /** Map entries in key order: a map built from {@code Map.of} iterates in an order of its JVM's. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private SpecDigests() {}

  /** The digest of {@code spec}; {@code what} names it in the error nobody should ever see. */
  static String of(Object spec, String what) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(spec)), 0, 8);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot digest " + what, e);
    }
  }
}
