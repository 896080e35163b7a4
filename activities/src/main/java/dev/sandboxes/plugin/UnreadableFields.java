package dev.sandboxes.plugin;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.sandboxes.model.Violation;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes a request readable whose payload holds a value its field's type cannot take: a duration
 * past what {@code java.time} holds ({@code "PT99999999999999999999H"}), a count past an int
 * ({@code 1e30}), a word where a number belongs. Such a payload, read as a workflow's input, fails
 * the workflow's task on every attempt: the workflow never starts and never ends. Here each such
 * field is taken out (a list entry becomes null), one at a time, until the rest reads, and
 * recorded as a violation naming its path, which the workflow refuses at its start like an
 * unknown field ({@link dev.sandboxes.model.UnknownFields}): the workflow fails at once, typed,
 * naming the field.
 */
final class UnreadableFields {
  /** The most fields taken out of one payload; a payload worse than that stays unreadable. */
  static final int MAX_FIELDS = 16;
  private static final int MAX_DETAIL = 160;
  private static final ObjectMapper MAPPER = JacksonJsonPayloadConverter.newDefaultObjectMapper();

  private UnreadableFields() {}

  /** A payload made readable, and the fields taken out of it. */
  record Readable(Payload payload, List<Violation> taken) {}

  /**
   * {@code payload} (plain JSON, read as {@code valueType}) without the fields that cannot be read,
   * and a violation for each; empty when it is not plain JSON, when nothing in it names the field
   * at fault (the whole value is of the wrong kind) or when more than {@link #MAX_FIELDS} are.
   */
  static Optional<Readable> readable(Payload payload, Class<?> valueClass, Type valueType) {
    if (payload == null || !UnknownFieldDetector.JSON_PLAIN.equals(
        payload.getMetadataOrDefault(EncodingKeys.METADATA_ENCODING_KEY, null))) {
      return Optional.empty();
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(payload.getData().toByteArray());
    } catch (IOException e) {
      return Optional.empty();
    }
    var target = MAPPER.getTypeFactory().constructType(valueType != null ? valueType : valueClass);
    List<Violation> taken = new ArrayList<>();
    while (true) {
      try {
        MAPPER.readerFor(target).readValue(tree);
        break;
      } catch (JsonMappingException e) {
        if (taken.size() == MAX_FIELDS || !takeOut(tree, e.getPath())) {
          return Optional.empty();
        }
        taken.add(new Violation(path(e.getPath()), "cannot be read: " + detail(e)));
      } catch (IOException | RuntimeException e) {
        return Optional.empty();
      }
    }
    if (taken.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Readable(payload.toBuilder().setData(ByteString.copyFrom(MAPPER.writeValueAsBytes(tree)))
          .build(), taken));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Takes the value at {@code path} out of {@code tree}; false when the path names nothing in it. */
  private static boolean takeOut(JsonNode tree, List<JsonMappingException.Reference> path) {
    if (path.isEmpty()) {
      return false;
    }
    JsonNode holder = tree;
    for (JsonMappingException.Reference step : path.subList(0, path.size() - 1)) {
      holder = step.getFieldName() != null ? holder.get(step.getFieldName()) : holder.get(step.getIndex());
      if (holder == null) {
        return false;
      }
    }
    JsonMappingException.Reference last = path.get(path.size() - 1);
    if (last.getFieldName() != null && holder instanceof ObjectNode object && object.has(last.getFieldName())) {
      object.remove(last.getFieldName());
      return true;
    }
    if (last.getFieldName() == null && holder instanceof ArrayNode array && last.getIndex() >= 0
        && last.getIndex() < array.size() && !array.get(last.getIndex()).isNull()) {
      array.set(last.getIndex(), NullNode.getInstance());
      return true;
    }
    return false;
  }

  /** The path as the violations spell it: {@code spec.ttl}, {@code spec.items[1].ttl}. */
  static String path(List<JsonMappingException.Reference> path) {
    StringBuilder spelt = new StringBuilder();
    for (JsonMappingException.Reference step : path) {
      if (step.getFieldName() != null) {
        spelt.append(spelt.length() == 0 ? "" : ".").append(step.getFieldName());
      } else {
        spelt.append('[').append(step.getIndex()).append(']');
      }
    }
    return spelt.toString();
  }

  /** The first line of the reader's complaint, bounded. */
  private static String detail(JsonMappingException e) {
    String message = String.valueOf(e.getOriginalMessage());
    int end = message.indexOf('\n');
    message = end < 0 ? message : message.substring(0, end);
    return message.length() <= MAX_DETAIL ? message : message.substring(0, MAX_DETAIL - 3) + "...";
  }
}
