package dev.sandboxes.plugin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.AnnotationIntrospector;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotationIntrospectorPair;
import com.google.protobuf.ByteString;
import dev.sandboxes.model.UnknownFields;
import dev.sandboxes.model.Violation;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Finds the fields of a JSON payload that its target type does not know: the ones the SDK's
 * lenient read (every wire record has {@code @JsonIgnoreProperties(ignoreUnknown = true)})
 * drops without a word. It reads the payload a second time with a mapper configured as the
 * SDK's ({@link JacksonJsonPayloadConverter#newDefaultObjectMapper()}) whose annotations no
 * longer ignore unknown properties, and records each one's path instead of failing.
 *
 * <p>Only payloads of {@code dev.sandboxes} types encoded as {@code json/plain} are read: a
 * payload of another encoding (a codec's encrypted or compressed bytes, {@code binary/plain})
 * is left to the converter that decodes it. Map keys (environment variables, tags, mounts) are
 * data, never fields.
 */
final class UnknownFieldDetector {
  /** The package whose types are checked. */
  static final String CHECKED_PACKAGE = "dev.sandboxes.";

  /** The encoding of the SDK's JSON payloads. */
  static final ByteString JSON_PLAIN = ByteString.copyFromUtf8("json/plain");

  private static final String FOUND = UnknownFieldDetector.class.getName() + ".found";
  private static final String PARSER = UnknownFieldDetector.class.getName() + ".parser";
  private static final ObjectMapper STRICT = strictMapper();

  private UnknownFieldDetector() {}

  /**
   * The unknown fields of {@code payload} read as {@code type}; empty when there are none, when
   * the type is not a {@code dev.sandboxes} type or the payload not plain JSON, and when the
   * payload cannot be read (the converter that decodes it reports that).
   */
  static List<Violation> find(Payload payload, Class<?> valueClass, Type valueType) {
    if (payload == null || valueClass == null || !valueClass.getName().startsWith(CHECKED_PACKAGE)
        || !JSON_PLAIN.equals(payload.getMetadataOrDefault(EncodingKeys.METADATA_ENCODING_KEY, null))) {
      return List.of();
    }
    List<Violation> found = new ArrayList<>();
    try {
      JavaType target = STRICT.getTypeFactory().constructType(valueType != null ? valueType : valueClass);
      try (JsonParser parser = STRICT.createParser(payload.getData().toByteArray())) {
        STRICT.readerFor(target).withAttribute(FOUND, found).withAttribute(PARSER, parser).readValue(parser);
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    return found;
  }

  private static ObjectMapper strictMapper() {
    ObjectMapper mapper = JacksonJsonPayloadConverter.newDefaultObjectMapper();
    mapper.setAnnotationIntrospector(new KeepUnknown(mapper.getDeserializationConfig().getAnnotationIntrospector()));
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    mapper.addHandler(new Recorder());
    return mapper;
  }

  /** The SDK mapper's annotations, except that {@code ignoreUnknown} no longer ignores anything. */
  private static final class KeepUnknown extends AnnotationIntrospectorPair {
    private static final long serialVersionUID = 1L;

    KeepUnknown(AnnotationIntrospector base) {
      super(base, AnnotationIntrospector.nopInstance());
    }

    @Override
    public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated annotated) {
      JsonIgnoreProperties.Value value = super.findPropertyIgnoralByName(config, annotated);
      return value == null ? null : value.withoutIgnoreUnknown();
    }
  }

  /** Records each unknown property's path (with a suggestion) and skips its value. */
  private static final class Recorder extends DeserializationProblemHandler {
    @Override
    @SuppressWarnings("unchecked")
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
        Object beanOrClass, String propertyName) throws IOException {
      Object found = ctxt.getAttribute(FOUND);
      if (found instanceof List<?> list) {
        ((List<Violation>) list).add(UnknownFields.unknown(pathOf(p, (JsonParser) ctxt.getAttribute(PARSER), propertyName),
            closest(propertyName, deserializer == null ? null : deserializer.getKnownPropertyNames())));
      }
      p.skipChildren();
      return true;
    }
  }

  /**
   * The path of property {@code name} of the object being read: the names of the enclosing
   * objects' fields joined by dots, a list entry as {@code [i]} ({@code spec.cmd},
   * {@code spec.items[1].cmd}). {@code p} is the parser the property is read from, {@code source}
   * the parser of the whole payload.
   *
   * <p>Jackson reads a record through its constructor and keeps the unknown properties it meets
   * in a buffer until the record is built; then {@code p} is that buffer's parser, whose context
   * does not place the record in the payload. The payload's parser does: it stands after the
   * record's last field read, on the record's end (its context is then the record's parent's) or
   * on the record's next field (its context is the record's own).
   */
  static String pathOf(JsonParser p, JsonParser source, String name) {
    JsonStreamContext outer;
    if (source == null || p == source) {
      JsonStreamContext holder = p.getParsingContext();
      JsonToken token = p.currentToken();
      if (holder != null && (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)) {
        holder = holder.getParent(); // the value's own context was entered already
      }
      outer = holder == null ? null : holder.getParent();
    } else {
      outer = source.getParsingContext();
      if (outer != null && source.currentToken() != JsonToken.END_OBJECT) {
        outer = outer.getParent();
      }
    }
    Deque<String> parts = new ArrayDeque<>();
    parts.push(name);
    for (JsonStreamContext c = outer; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.push("[" + c.getCurrentIndex() + "]");
      } else if (c.getCurrentName() != null) {
        parts.push(c.getCurrentName());
      }
    }
    StringBuilder path = new StringBuilder();
    for (String part : parts) {
      if (path.length() > 0 && !part.startsWith("[")) {
        path.append('.');
      }
      path.append(part);
    }
    return path.toString();
  }

  /**
   * The known field {@code unknown} most likely meant, or {@code null}: the same name in another
   * case or with {@code _}/{@code -}; one within two edits (one for a name of up to four
   * letters); or one it abbreviates (its letters in order, the first the same: {@code cmd} for
   * {@code command}).
   */
  static String closest(String unknown, Collection<Object> known) {
    if (known == null || unknown.isEmpty()) {
      return null;
    }
    String normal = normal(unknown);
    String best = null;
    int bestScore = Integer.MAX_VALUE;
    for (Object candidate : known) {
      String name = String.valueOf(candidate);
      int score;
      if (normal(name).equals(normal)) {
        score = 0;
      } else {
        int distance = distance(normal, normal(name));
        if (distance <= (normal.length() <= 4 ? 1 : 2)) {
          score = distance;
        } else if (normal.length() >= 2 && abbreviates(normal, normal(name))) {
          score = 3;
        } else {
          continue;
        }
      }
      if (score < bestScore || (score == bestScore && name.compareTo(best) < 0)) {
        best = name;
        bestScore = score;
      }
    }
    return best;
  }

  private static String normal(String name) {
    return name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  /** Whether {@code shorter}'s letters appear in {@code longer} in order, starting with its first. */
  private static boolean abbreviates(String shorter, String longer) {
    if (shorter.length() >= longer.length() || shorter.charAt(0) != longer.charAt(0)) {
      return false;
    }
    int at = 0;
    for (int i = 0; i < longer.length() && at < shorter.length(); i++) {
      if (longer.charAt(i) == shorter.charAt(at)) {
        at++;
      }
    }
    return at == shorter.length();
  }

  /** Edit distance with adjacent transpositions (optimal string alignment). */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
