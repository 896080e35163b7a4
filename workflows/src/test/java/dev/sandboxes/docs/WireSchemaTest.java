package dev.sandboxes.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/schema holds the JSON Schemas of the wire contract as the code gives them, and
 * docs/wire-format.md agrees with them: its JSON examples validate, and the fields it lists for
 * each type are the type's fields.
 */
class WireSchemaTest {
  static final String REFRESH_COMMAND = "mvn -B -q test -pl workflows -Dtest=WireSchemaTest"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dschema.write=true";

  private static final Path ROOT = repositoryRoot();
  private static final Path SCHEMA_DIR = ROOT.resolve("docs/schema");
  private static final Path WIRE_FORMAT = ROOT.resolve("docs/wire-format.md");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theCommittedSchemasAreWhatTheCodeGives() throws IOException {
    Map<String, String> generated = WireSchemas.generate();
    if (Boolean.getBoolean("schema.write")) {
      Files.createDirectories(SCHEMA_DIR);
      for (String stale : committedSchemaFiles()) {
        if (!generated.containsKey(stale)) {
          Files.delete(SCHEMA_DIR.resolve(stale));
        }
      }
      for (Map.Entry<String, String> file : generated.entrySet()) {
        Files.writeString(SCHEMA_DIR.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
      }
      return;
    }
    List<String> differences = schemaDifferences(generated, committed());
    if (!differences.isEmpty()) {
      fail("docs/schema is not what the code gives:\n  " + String.join("\n  ", differences)
          + "\nIf the change of the wire contract is meant, refresh docs/schema from the repository's"
          + " root with\n  " + REFRESH_COMMAND
          + "\nand update docs/wire-format.md to match (this test checks it too).");
    }
  }

  @Test
  void theSchemasHaveTheConvertersPropertiesAndAcceptWhatItWrites() {
    Map<String, JsonNode> schemas = generatedSchemas();
    for (Class<?> type : objectTypes()) {
      BeanDescription serialized = WireSchemas.WIRE.getSerializationConfig()
          .introspect(WireSchemas.WIRE.constructType(type));
      Set<String> jackson = serialized.findProperties().stream().map(BeanPropertyDefinition::getName)
          .collect(Collectors.toCollection(TreeSet::new));
      assertThat(new TreeSet<>(schemaFields(schemas).get(type.getSimpleName())))
          .as("properties of %s in its schema and as the converter writes it", type.getSimpleName())
          .isEqualTo(jackson);
    }
    for (Class<?> type : WireSchemas.topLevelTypes()) {
      JsonNode written = WireSchemas.WIRE.valueToTree(WireSchemas.sample(type));
      assertThat(validate(schemas.get(type.getSimpleName()), written))
          .as("%s as the converter writes it, %s", type.getSimpleName(), written).isEmpty();
    }
  }

  @Test
  void theWireFormatsExamplesAreValid() {
    List<String> problems = exampleProblems(read(WIRE_FORMAT), generatedSchemas());
    assertThat(problems).as("JSON examples in docs/wire-format.md").isEmpty();
  }

  @Test
  void theWireFormatListsTheFieldsOfEveryType() {
    List<String> problems = fieldProblems(read(WIRE_FORMAT), schemaFields(generatedSchemas()));
    assertThat(problems).as("fields in docs/wire-format.md against docs/schema").isEmpty();
  }

  // The checks can fail: each finds what it is for in a document written to break it.

  @Test
  void theFieldCheckFindsAMissingAnUnknownAndAnUnlabelledField() {
    Map<String, Set<String>> fields = Map.of("LogRequest", Set.of("tail", "since"),
        "RuntimeRef", Set.of("runtime", "namespace", "object", "node"));
    String doc = """
        ### `LogRequest`

        | field | type |
        |---|---|
        | `tail` | integer |
        | `sinse` | instant |

        `RuntimeRef`: `runtime` (string), `namespace`, `object` (string). Sort by `RuntimeRef.nodes`.

        Some other table:

        | field | type |
        |---|---|
        | `x` | string |
        """;
    assertThat(fieldProblems(doc, fields)).containsExactly(
        "line 12: a field table without a type: put a line <!-- fields: Type --> before it",
        "line 6: LogRequest has no field sinse",
        "line 8: RuntimeRef has no field nodes",
        "LogRequest: the document does not list its field since",
        "RuntimeRef: the document does not list its field node");
  }

  @Test
  void theExampleCheckFindsAnUnlabelledAndAWrongExample() {
    Map<String, JsonNode> schemas = generatedSchemas();
    String doc = """
        <!-- schema: ExecRequest -->
        ```json
        {"argv": ["true"], "timeout": "600"}
        ```

        ```json
        {"tail": 1}
        ```

        <!-- schema: LogRequest -->
        ```json
        {"tail": "five", "since": "yesterday"}
        ```
        """;
    List<String> problems = exampleProblems(doc, schemas);
    assertThat(problems).hasSize(3);
    assertThat(problems.get(0)).startsWith("line 2: ExecRequest: ").contains("timeout");
    assertThat(problems.get(1)).startsWith("line 6: a json block without a type");
    assertThat(problems.get(2)).startsWith("line 11: LogRequest: ").contains("tail").contains("since");
  }

  @Test
  void theDriftCheckNamesTheFilesThatDiffer() {
    Map<String, String> generated = WireSchemas.generate();
    Map<String, String> committed = new TreeMap<>(generated);
    committed.put("LogRequest.schema.json", generated.get("LogRequest.schema.json").replace("\"tail\"", "\"tale\""));
    committed.remove("ExecRequest.schema.json");
    committed.put("Gone.schema.json", "{}");
    assertThat(schemaDifferences(generated, committed)).containsExactly(
        "ExecRequest.schema.json: missing", "Gone.schema.json: no such type in the contract",
        "LogRequest.schema.json: differs, first at line 6: expected `    \"tail\" : {` but is `    \"tale\" : {`");
  }

  // ---------------------------------------------------------------------------------------------

  static List<String> schemaDifferences(Map<String, String> generated, Map<String, String> committed) {
    List<String> out = new ArrayList<>();
    Set<String> names = new TreeSet<>(generated.keySet());
    names.addAll(committed.keySet());
    for (String name : names) {
      String want = generated.get(name);
      String have = committed.get(name);
      if (have == null) {
        out.add(name + ": missing");
      } else if (want == null) {
        out.add(name + ": no such type in the contract");
      } else if (!want.equals(have)) {
        String[] a = want.split("\n", -1);
        String[] b = have.split("\n", -1);
        int i = 0;
        while (i < a.length && i < b.length && a[i].equals(b[i])) {
          i++;
        }
        out.add(name + ": differs, first at line " + (i + 1) + ": expected `" + (i < a.length ? a[i] : "")
            + "` but is `" + (i < b.length ? b[i] : "") + "`");
      }
    }
    return out;
  }

  static List<String> exampleProblems(String markdown, Map<String, JsonNode> schemas) {
    List<String> problems = new ArrayList<>();
    for (WireDoc.Example example : WireDoc.parse(markdown, schemaFields(schemas).keySet()).examples()) {
      String where = "line " + example.line() + ": ";
      if (example.type() == null) {
        problems.add(where + "a json block without a type: put a line <!-- schema: Type --> before it,"
            + " Type one of " + schemas.keySet());
        continue;
      }
      JsonNode schema = schemas.get(example.type());
      if (schema == null) {
        problems.add(where + "no schema " + example.type() + " (one of " + schemas.keySet() + ")");
        continue;
      }
      JsonNode json;
      try {
        json = JSON.readTree(example.json());
      } catch (IOException e) {
        problems.add(where + example.type() + ": not JSON: " + e.getMessage());
        continue;
      }
      List<String> errors = validate(schema, json);
      if (!errors.isEmpty()) {
        problems.add(where + example.type() + ": " + String.join("; ", errors));
        continue;
      }
      Class<?> type = WireSchemas.topLevelTypes().stream()
          .filter(t -> t.getSimpleName().equals(example.type())).findFirst().orElseThrow();
      try {
        WireSchemas.WIRE.readValue(example.json(), type);
      } catch (IOException | RuntimeException e) {
        problems.add(where + example.type() + ": valid, but the converter cannot read it: " + e.getMessage());
      }
    }
    return problems;
  }

  static List<String> fieldProblems(String markdown, Map<String, Set<String>> schemaFields) {
    WireDoc.Parsed doc = WireDoc.parse(markdown, schemaFields.keySet());
    List<String> problems = new ArrayList<>(doc.problems());
    Map<String, Set<String>> listed = new TreeMap<>();
    for (WireDoc.Mention m : doc.mentions()) {
      Set<String> fields = schemaFields.get(m.type());
      if (fields == null) {
        problems.add("line " + m.line() + ": no type " + m.type() + " in docs/schema");
      } else if (!fields.contains(m.field())) {
        problems.add("line " + m.line() + ": " + m.type() + " has no field " + m.field());
      } else if (m.listing()) {
        listed.computeIfAbsent(m.type(), t -> new TreeSet<>()).add(m.field());
      }
    }
    for (Map.Entry<String, Set<String>> type : new TreeMap<>(schemaFields).entrySet()) {
      Set<String> documented = listed.get(type.getKey());
      if (documented == null) {
        problems.add(type.getKey() + ": the document lists none of its fields"
            + " (a field table or a `" + type.getKey() + "`: `field` (...), ... list)");
        continue;
      }
      for (String field : type.getValue()) {
        if (!documented.contains(field)) {
          problems.add(type.getKey() + ": the document does not list its field " + field);
        }
      }
    }
    return problems;
  }

  /** Type name to schema: the committed files' schemas as the code gives them. */
  private static Map<String, JsonNode> generatedSchemas() {
    Map<String, JsonNode> schemas = new TreeMap<>();
    for (Map.Entry<String, String> file : WireSchemas.generate().entrySet()) {
      if (file.getKey().endsWith(WireSchemas.SCHEMA_SUFFIX)) {
        try {
          JsonNode schema = JSON.readTree(file.getValue());
          schemas.put(schema.get("title").asText(), schema);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return schemas;
  }

  /** Object type name to its property names, from the roots and the $defs of the schemas. */
  static Map<String, Set<String>> schemaFields(Map<String, JsonNode> schemas) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (Map.Entry<String, JsonNode> schema : schemas.entrySet()) {
      out.put(schema.getKey(), names(schema.getValue().get("properties")));
      JsonNode defs = schema.getValue().get("$defs");
      if (defs != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = defs.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> def = it.next();
          if (def.getValue().has("properties")) {
            out.put(def.getKey(), names(def.getValue().get("properties")));
          }
        }
      }
    }
    return out;
  }

  private static Set<String> names(JsonNode properties) {
    Set<String> out = new LinkedHashSet<>();
    if (properties != null) {
      properties.fieldNames().forEachRemaining(out::add);
    }
    return out;
  }

  /** Every record reachable from the top-level types. */
  private static Set<Class<?>> objectTypes() {
    Map<String, Class<?>> out = new LinkedHashMap<>();
    List<Class<?>> todo = new ArrayList<>(WireSchemas.topLevelTypes());
    while (!todo.isEmpty()) {
      Class<?> type = todo.remove(0);
      if (out.putIfAbsent(type.getSimpleName(), type) != null) {
        continue;
      }
      for (var component : type.getRecordComponents()) {
        collectRecords(component.getGenericType(), todo);
      }
    }
    return new LinkedHashSet<>(out.values());
  }

  private static void collectRecords(java.lang.reflect.Type type, List<Class<?>> into) {
    if (type instanceof Class<?> c && c.isRecord()) {
      into.add(c);
    } else if (type instanceof java.lang.reflect.ParameterizedType p) {
      for (java.lang.reflect.Type arg : p.getActualTypeArguments()) {
        collectRecords(arg, into);
      }
    }
  }

  private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(
      SpecificationVersion.DRAFT_2020_12,
      builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

  private static List<String> validate(JsonNode schema, JsonNode instance) {
    Schema validator = VALIDATORS.getSchema(schema);
    return validator.validate(instance).stream().map(Error::toString).toList();
  }

  private static Map<String, String> committed() throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String name : committedSchemaFiles()) {
      out.put(name, Files.readString(SCHEMA_DIR.resolve(name), StandardCharsets.UTF_8));
    }
    if (Files.exists(SCHEMA_DIR.resolve("README.md"))) {
      out.put("README.md", Files.readString(SCHEMA_DIR.resolve("README.md"), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static List<String> committedSchemaFiles() throws IOException {
    if (!Files.isDirectory(SCHEMA_DIR)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(SCHEMA_DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(WireSchemas.SCHEMA_SUFFIX))
          .sorted().toList();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docs/wire-format.md"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("docs/wire-format.md not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
