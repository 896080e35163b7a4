package dev.sandboxes.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.sandboxes.model.UnknownFields;
import dev.sandboxes.model.Violation;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.api.common.v1.Payload;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.EncodingKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/schema says {@code additionalProperties: false} on every object of the payloads a worker
 * refuses unknown fields in ({@code WireSchemas.REFUSING}); the plugin's converter must then find
 * an unknown field put into any of those objects, by its path, and none put into a map (whose
 * keys are data).
 */
class RefusedFieldsSchemaTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path SCHEMAS = Path.of("../docs/schema");

  private final DataConverter converter = converter();

  static DataConverter converter() {
    WorkflowClientOptions.Builder options = WorkflowClientOptions.newBuilder();
    SandboxPlugin.forRuntime(new ScriptedRuntime()).configureWorkflowClient(options);
    return options.build().getDataConverter();
  }

  /** The payloads whose schemas refuse unknown fields because the worker does (not PoolStatus: a Java reader does). */
  static final List<String> REFUSING = List.of("BatchRequest", "ExecRequest", "LogRequest", "SandboxRequest", "VolumeRequest");

  @Test
  void theSchemasThatRefuseUnknownFieldsAreTheRequestsTheWorkerChecks() throws IOException {
    List<String> refusing = new ArrayList<>();
    try (var files = Files.list(SCHEMAS)) {
      for (Path file : files.sorted().toList()) {
        if (file.toString().endsWith(".schema.json")
            && !JSON.readTree(Files.readString(file)).path("additionalProperties").asBoolean(true)) {
          refusing.add(file.getFileName().toString().replace(".schema.json", ""));
        }
      }
    }
    assertThat(refusing).containsExactlyElementsOf(
        java.util.stream.Stream.concat(REFUSING.stream(), java.util.stream.Stream.of("PoolStatus")).sorted().toList());
  }

  @Test
  void theConverterFindsAnUnknownFieldInEveryObjectTheSchemasSayRefusesOne() throws Exception {
    for (String name : REFUSING) {
      JsonNode schema = JSON.readTree(Files.readString(SCHEMAS.resolve(name + ".schema.json")));
      Class<?> type = Class.forName(typeNamed(name));
      JsonNode sample = instance(schema, schema, 0);
      List<String> planted = new ArrayList<>();
      plant(sample, schema, schema, "", planted);
      assertThat(planted).as("objects of %s", name).isNotEmpty();

      Payload payload = Payload.newBuilder()
          .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ByteString.copyFromUtf8("json/plain"))
          .setData(ByteString.copyFrom(JSON.writeValueAsBytes(sample))).build();
      Object decoded = converter.fromPayload(payload, type, type);
      assertThat(UnknownFields.of(decoded)).extracting(Violation::field).as("%s with %s", name, sample)
          .containsExactlyInAnyOrderElementsOf(planted);
    }
  }

  private static String typeNamed(String simpleName) {
    return switch (simpleName) {
      case "SandboxRequest", "VolumeRequest" -> "dev.sandboxes.workflow." + simpleName;
      case "BatchRequest" -> "dev.sandboxes.batch." + simpleName;
      default -> "dev.sandboxes.model." + simpleName;
    };
  }

  /** A value of {@code schema} with every property set, every list and map one entry long. */
  private static JsonNode instance(JsonNode schema, JsonNode root, int depth) {
    schema = resolve(schema, root);
    assertThat(depth).as("schema depth").isLessThan(12);
    if (schema.has("anyOf")) {
      for (JsonNode option : schema.get("anyOf")) {
        if (!"null".equals(resolve(option, root).path("type").asText())) {
          return instance(option, root, depth + 1);
        }
      }
    }
    if (schema.has("enum")) {
      return schema.get("enum").get(0);
    }
    String type = null;
    for (JsonNode t : schema.path("type").isArray() ? schema.get("type") : JSON.createArrayNode().add(schema.path("type"))) {
      if (!t.asText().equals("null") && !t.asText().isEmpty()) {
        type = t.asText();
      }
    }
    if (type == null) {
      return JSON.nullNode();
    }
    switch (type) {
      case "object" -> {
        ObjectNode object = JSON.createObjectNode();
        if (schema.has("properties")) {
          schema.get("properties").fields().forEachRemaining(p -> object.set(p.getKey(), instance(p.getValue(), root, depth + 1)));
        } else if (schema.path("additionalProperties").isObject()) {
          object.set("K", instance(schema.get("additionalProperties"), root, depth + 1));
        }
        return object;
      }
      case "array" -> {
        return JSON.createArrayNode().add(instance(schema.get("items"), root, depth + 1));
      }
      case "string" -> {
        return JSON.getNodeFactory().textNode("date-time".equals(schema.path("format").asText()) ? "2026-01-02T03:04:05Z" : "x");
      }
      case "boolean" -> {
        return JSON.getNodeFactory().booleanNode(false);
      }
      default -> {
        return JSON.getNodeFactory().numberNode(1);
      }
    }
  }

  /**
   * Puts {@code zz} into every object of {@code instance} whose schema refuses unknown fields
   * (failing on one that accepts them), and {@code zz} as a key into every map.
   */
  private static void plant(JsonNode instance, JsonNode schema, JsonNode root, String path, List<String> planted) {
    schema = resolve(schema, root);
    if (instance == null || instance.isNull()) {
      return;
    }
    if (schema.has("anyOf")) {
      for (JsonNode option : schema.get("anyOf")) {
        if (!"null".equals(resolve(option, root).path("type").asText())) {
          plant(instance, option, root, path, planted);
        }
      }
      return;
    }
    if (instance instanceof ObjectNode object && schema.has("properties")) {
      assertThat(schema.get("additionalProperties").asBoolean(true)).as("additionalProperties at %s", path).isFalse();
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        plant(object.get(name), schema.get("properties").get(name), root, path.isEmpty() ? name : path + "." + name, planted);
      }
      object.put("zz", 1);
      planted.add(path.isEmpty() ? "zz" : path + ".zz");
    } else if (instance instanceof ObjectNode map && schema.path("additionalProperties").isObject()) {
      List<String> keys = new ArrayList<>();
      map.fieldNames().forEachRemaining(keys::add);
      for (String key : keys) {
        plant(map.get(key), schema.get("additionalProperties"), root, path + "." + key, planted);
      }
      if (!keys.isEmpty()) {
        map.set("zz", map.get(keys.get(0)).deepCopy()); // a key: data, not a field
      }
    } else if (instance instanceof ArrayNode array && schema.has("items")) {
      for (int i = 0; i < array.size(); i++) {
        plant(array.get(i), schema.get("items"), root, path + "[" + i + "]", planted);
      }
    }
  }

  private static JsonNode resolve(JsonNode schema, JsonNode root) {
    while (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      schema = ref.equals("#") ? root : root.at(ref.substring(1));
    }
    return schema;
  }
}
