package dev.sandboxes.docs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.classmate.ResolvedType;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.MemberScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import dev.sandboxes.batch.BatchChunkWorkflow;
import dev.sandboxes.batch.BatchRequest;
import dev.sandboxes.batch.BatchWorkflow;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.pool.PoolWorkflow;
import dev.sandboxes.reaper.ReaperWorkflow;
import dev.sandboxes.workflow.ExecOutputWorkflow;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.SandboxWorkflow;
import dev.sandboxes.workflow.VolumeRequest;
import dev.sandboxes.workflow.VolumeWorkflow;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.WorkflowMethod;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JSON Schemas of the wire contract (docs/schema), generated from the workflow interfaces and
 * the model records as the Temporal SDK's Jackson converter encodes them.
 *
 * <p>The contract is read from the workflow interfaces: every workflow method, update and query,
 * its arguments and its result. Each record among them gets a schema file, its nested records
 * {@code $defs}. What a field accepts is asked of the SDK's own mapper rather than assumed: a field
 * is required when a payload without it does not decode, nullable when an explicit {@code null}
 * decodes, has a {@code default} when, absent, it decodes to a value, and an object admits unknown
 * properties when a payload with one decodes.
 */
final class WireSchemas {
  /** The workflow interfaces of the contract (docs/wire-format.md section 2). */
  static final List<Class<?>> WORKFLOWS = List.of(SandboxWorkflow.class, ExecOutputWorkflow.class,
      VolumeWorkflow.class, BatchWorkflow.class, BatchChunkWorkflow.class, PoolWorkflow.class,
      ReaperWorkflow.class);

  static final String SCHEMA_SUFFIX = ".schema.json";
  static final String DRAFT = "https://json-schema.org/draft/2020-12/schema";

  /** The mapper the SDK's default data converter encodes and decodes payloads with. */
  static final ObjectMapper WIRE = JacksonJsonPayloadConverter.newDefaultObjectMapper();

  /** The same, building trees that keep decimals as written (600.000000000 stays so). */
  private static final ObjectMapper TREES =
      WIRE.copy().setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private static final String UNKNOWN_PROPERTY = "propertyNoRecordHas";

  /**
   * The payloads whose unknown fields, at any depth, a worker with the plugin on its client
   * refuses (docs/wire-format.md section 3.7): the inputs of the sandbox, volume and batch
   * workflows and the arguments of the {@code exec} and {@code logs} updates. Their records still
   * decode with the SDK's own mapper; the refusal is the workflows' (they ask
   * {@code UnknownFields}), so these are listed here, and their schemas say
   * {@code additionalProperties: false} on every object. The activities module checks both
   * sides: {@code UnknownFieldsTest} starts or updates each with an unknown field, and
   * {@code RefusedFieldsSchemaTest} puts one into every object of these schemas and expects the
   * plugin's converter to find each.
   */
  static final Set<Class<?>> REFUSING = Set.of(SandboxRequest.class, VolumeRequest.class, BatchRequest.class,
      ExecRequest.class, LogRequest.class);

  /** The type whose schema is being generated ({@link #schemaOf}). */
  private static Class<?> generating;

  private WireSchemas() {}

  /** One workflow method, update or query of the contract. */
  record Operation(String workflowType, String kind, String name, List<Type> arguments, Type result) {}

  /** The contract's operations: by workflow as in {@link #WORKFLOWS}, its handlers by name. */
  static List<Operation> operations() {
    List<Operation> operations = new ArrayList<>();
    for (Class<?> workflow : WORKFLOWS) {
      String type = null;
      List<Operation> handlers = new ArrayList<>();
      for (Method m : declaredByName(workflow)) {
        List<Type> args = Arrays.asList(m.getGenericParameterTypes());
        if (m.isAnnotationPresent(WorkflowMethod.class)) {
          String name = m.getAnnotation(WorkflowMethod.class).name();
          type = name.isEmpty() ? workflow.getSimpleName() : name;
          operations.add(new Operation(type, "workflow", type, args, m.getGenericReturnType()));
        } else if (m.isAnnotationPresent(UpdateMethod.class)) {
          String name = m.getAnnotation(UpdateMethod.class).name();
          handlers.add(new Operation(null, "update", name.isEmpty() ? m.getName() : name, args,
              m.getGenericReturnType()));
        } else if (m.isAnnotationPresent(QueryMethod.class)) {
          String name = m.getAnnotation(QueryMethod.class).name();
          handlers.add(new Operation(null, "query", name.isEmpty() ? m.getName() : name, args,
              m.getGenericReturnType()));
        }
      }
      if (type == null) {
        throw new IllegalStateException(workflow + " has no @WorkflowMethod");
      }
      for (Operation h : handlers) {
        operations.add(new Operation(type, h.kind(), h.name(), h.arguments(), h.result()));
      }
    }
    return operations;
  }

  /** Methods by name: reflection gives no source order. */
  private static List<Method> declaredByName(Class<?> type) {
    List<Method> methods = new ArrayList<>(Arrays.asList(type.getDeclaredMethods()));
    methods.sort(Comparator.comparing(Method::getName));
    return methods;
  }

  /** The records that travel as a whole payload: one schema file each. */
  static Set<Class<?>> topLevelTypes() {
    Set<Class<?>> types = new java.util.TreeSet<>(Comparator.comparing(Class::getSimpleName));
    for (Operation op : operations()) {
      op.arguments().forEach(t -> addRecord(types, t));
      addRecord(types, op.result());
    }
    return types;
  }

  private static void addRecord(Set<Class<?>> types, Type type) {
    if (type instanceof Class<?> c && c.isRecord()) {
      types.add(c);
    } else if (type instanceof Class<?> c && !c.isPrimitive() && c != String.class && c != Duration.class
        && c != Instant.class && c != byte[].class && c != Void.class) {
      throw new IllegalStateException("no wire schema for a payload of type " + type);
    } else if (type instanceof ParameterizedType) {
      throw new IllegalStateException("no wire schema for a payload of type " + type);
    }
  }

  /** File name to content: a schema per top-level type and the index README.md. */
  static Map<String, String> generate() {
    SchemaGenerator generator = generator();
    Map<String, String> files = new TreeMap<>();
    for (Class<?> type : topLevelTypes()) {
      ObjectNode generated = schemaOf(generator, type);
      ObjectNode schema = JsonNodeFactory.instance.objectNode();
      schema.put("$schema", DRAFT);
      schema.put("title", type.getSimpleName());
      generated.remove("$schema");
      schema.setAll(generated);
      files.put(type.getSimpleName() + SCHEMA_SUFFIX, pretty(schema));
    }
    files.put("README.md", readme());
    return files;
  }

  /** The schema of {@code type}: its objects refuse unknown fields when it is one of {@link #REFUSING}. */
  static synchronized ObjectNode schemaOf(SchemaGenerator generator, Class<?> type) {
    generating = type;
    try {
      return generator.generateSchema(type);
    } finally {
      generating = null;
    }
  }

  static String pretty(JsonNode node) {
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return new ObjectMapper().enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
          .writer(printer).writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static SchemaGenerator generator() {
    SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(TREES.copy(),
        SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
        .with(new JacksonModule(JacksonOption.FLATTENED_ENUMS_FROM_JSONVALUE,
            JacksonOption.FLATTENED_ENUMS_FROM_JSONPROPERTY, JacksonOption.RESPECT_JSONPROPERTY_ORDER))
        .with(Option.DEFINITIONS_FOR_ALL_OBJECTS,
            Option.PLAIN_DEFINITION_KEYS, Option.INLINE_NULLABLE_SCHEMAS)
        .without(Option.ADDITIONAL_FIXED_TYPES, Option.SCHEMA_VERSION_INDICATOR);
    config.forTypesInGeneral()
        .withCustomDefinitionProvider((type, context) -> scalar(type, context))
        .withTypeAttributeOverride((node, scope, context) -> {
          Class<?> type = scope.getType().getErasedType();
          if (type.isRecord() && node.has("properties")) {
            node.put("additionalProperties", !REFUSING.contains(generating) && probe(type).acceptsUnknown());
          }
        })
        .withPropertySorter(WireSchemas::recordOrder);
    config.forFields()
        .withRequiredCheck(field -> !field.isFakeContainerItemScope() && fact(field).required())
        .withNullableCheck(field -> !field.isFakeContainerItemScope() && fact(field).nullable())
        .withDefaultResolver(field -> field.isFakeContainerItemScope() ? null : fact(field).defaultValue());
    return new SchemaGenerator(config.build());
  }

  /** How the converter writes the JDK types the model uses (docs/wire-format.md section 3). */
  private static CustomDefinition scalar(ResolvedType resolved,
      com.github.victools.jsonschema.generator.SchemaGenerationContext context) {
    Class<?> type = resolved.getErasedType();
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    if (Map.class.isAssignableFrom(type)) {
      List<ResolvedType> kv = resolved.typeParametersFor(Map.class);
      if (kv == null || kv.size() != 2 || kv.get(0).getErasedType() != String.class) {
        throw new IllegalStateException("the wire model has a map other than from strings: " + resolved);
      }
      node.put("type", "object");
      node.set("additionalProperties", context.createDefinitionReference(kv.get(1)));
    } else if (type == Duration.class) {
      node.put("type", "number");
      node.put("description", "a duration in seconds, written with nine decimals (600.000000000);"
          + " an ISO-8601 duration string such as \"PT10M\" is also read");
    } else if (type == Instant.class) {
      node.put("type", "string");
      node.put("format", "date-time");
      node.put("description", "an instant, written in UTC with Z; a number of epoch seconds is also read");
    } else if (type == byte[].class) {
      node.put("type", "string");
      node.put("contentEncoding", "base64");
    } else {
      return null;
    }
    return new CustomDefinition(node, CustomDefinition.DefinitionType.INLINE,
        CustomDefinition.AttributeInclusion.YES);
  }

  private static int recordOrder(MemberScope<?, ?> a, MemberScope<?, ?> b) {
    return Integer.compare(componentIndex(a), componentIndex(b));
  }

  private static int componentIndex(MemberScope<?, ?> member) {
    Class<?> owner = member.getDeclaringType().getErasedType();
    if (owner.isRecord()) {
      RecordComponent[] components = owner.getRecordComponents();
      for (int i = 0; i < components.length; i++) {
        if (components[i].getName().equals(member.getDeclaredName())) {
          return i;
        }
      }
    }
    return Integer.MAX_VALUE;
  }

  // ---------------------------------------------------------------------------------------------
  // What the converter accepts, asked of it

  /** What the wire mapper does with one field. */
  record FieldFact(boolean required, boolean nullable, JsonNode defaultValue) {}

  /** What the wire mapper does with one record type. */
  record TypeFacts(Map<String, FieldFact> fields, boolean acceptsUnknown) {}

  private static final Map<Class<?>, TypeFacts> PROBED = new HashMap<>();

  private static FieldFact fact(FieldScope field) {
    Class<?> owner = field.getDeclaringType().getErasedType();
    if (!owner.isRecord()) {
      throw new IllegalStateException("the wire model has a non-record object type: " + owner);
    }
    FieldFact fact = probe(owner).fields().get(field.getDeclaredName());
    if (fact == null) {
      throw new IllegalStateException(owner.getSimpleName() + "." + field.getDeclaredName()
          + " is a field but not a record component");
    }
    return fact;
  }

  static synchronized TypeFacts probe(Class<?> record) {
    TypeFacts known = PROBED.get(record);
    if (known != null) {
      return known;
    }
    ObjectNode full = TREES.valueToTree(sample(record, 0));
    Map<String, FieldFact> fields = new LinkedHashMap<>();
    for (RecordComponent c : record.getRecordComponents()) {
      String name = c.getName();
      ObjectNode absent = full.deepCopy();
      absent.remove(name);
      Object decoded = decode(absent, record);
      boolean required = decoded == null;
      JsonNode defaultValue = null;
      if (decoded != null) {
        JsonNode value = TREES.valueToTree(decoded).get(name);
        defaultValue = value == null || value.isNull() ? null : value;
      }
      ObjectNode withNull = full.deepCopy();
      withNull.putNull(name);
      boolean nullable = !c.getType().isPrimitive() && decode(withNull, record) != null;
      fields.put(name, new FieldFact(required, nullable, defaultValue));
    }
    ObjectNode extra = full.deepCopy();
    extra.put(UNKNOWN_PROPERTY, "x");
    TypeFacts facts = new TypeFacts(fields, decode(extra, record) != null);
    PROBED.put(record, facts);
    return facts;
  }

  /** The payload decoded as the SDK's converter decodes it, or null when it does not decode. */
  private static Object decode(JsonNode json, Class<?> type) {
    try {
      return WIRE.readValue(WIRE.writeValueAsBytes(json), type);
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** A value of the type with every field set. */
  static Object sample(Class<?> type) {
    return sample(type, 0);
  }

  /** A value of the type with every field set, to vary one field at a time. */
  private static Object sample(Type type, int depth) {
    if (depth > 8) {
      throw new IllegalStateException("the wire model nests deeper than expected at " + type);
    }
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        return List.of(sample(args[0], depth + 1));
      }
      if (Map.class.isAssignableFrom(raw)) {
        return Map.of(sample(args[0], depth + 1), sample(args[1], depth + 1));
      }
      throw new IllegalStateException("no sample for " + type);
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class) {
      return "s";
    } else if (c == int.class || c == Integer.class) {
      return 1;
    } else if (c == long.class || c == Long.class) {
      return 1L;
    } else if (c == boolean.class || c == Boolean.class) {
      return true;
    } else if (c == Duration.class) {
      return Duration.ofSeconds(1);
    } else if (c == Instant.class) {
      return Instant.ofEpochSecond(1);
    } else if (c == byte[].class) {
      return new byte[] {1};
    } else if (c.isEnum()) {
      return c.getEnumConstants()[0];
    } else if (c.isRecord()) {
      RecordComponent[] components = c.getRecordComponents();
      Object[] values = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        values[i] = sample(components[i].getGenericType(), depth + 1);
        types[i] = components[i].getType();
      }
      try {
        Constructor<?> canonical = c.getDeclaredConstructor(types);
        canonical.setAccessible(true);
        return canonical.newInstance(values);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot build a sample " + c.getSimpleName(), e);
      }
    }
    throw new IllegalStateException("no sample for " + type);
  }

  // ---------------------------------------------------------------------------------------------
  // The index

  static String readme() {
    StringBuilder out = new StringBuilder();
    out.append("""
        # Wire schemas

        JSON Schemas (draft 2020-12) of every workflow input, update argument, query result and
        workflow result of the wire contract, [docs/wire-format.md](../wire-format.md). Each file
        describes one payload type; the objects it contains are under its `$defs`.

        They are generated from the workflow interfaces and the model records, as the Temporal
        SDK's Jackson data converter encodes them, by `WireSchemaTest` in the workflows module,
        which fails when these files differ from what the code gives. After a change of the model,
        refresh them from the repository's root with

        ```sh
        %s
        ```

        How to read them:

        - Durations are numbers of seconds (the converter writes nine decimals); instants are
          ISO-8601 strings in UTC (`format: date-time`); bytes inside an object are base64
          strings; enums are their upper-case constant names.
        - `required` lists the fields a payload cannot do without: the record refuses it absent or
          null. Any other field may be left out.
        - A field whose type admits `null` reads `null` as absent. `default` is what an absent (or
          null) field reads as; a field with neither reads as null.
        - An `int`, `long` or `boolean` field is never null in what the Java side writes, and reads
          absent as `0` or `false`.
        - `additionalProperties: true` marks the objects whose unknown fields a reader ignores;
          `false` those that refuse them (section 3.7): every object of `SandboxRequest`,
          `VolumeRequest`, `BatchRequest`, `ExecRequest` and `LogRequest`, refused by a worker
          whose plugin is on its client, and `PoolStatus`, which a Java reader refuses. The same
          record may accept them in a result (`SandboxStatus` in `SandboxResult`) and not in a
          request (`carried` in `SandboxRequest`). The state a workflow carries into its next run
          (`carried`: not for callers, section 4.1) is marked `false` because callers must not
          send unknown fields, but a continued run does not refuse its own: a run refuses unknown
          fields only when it starts a new sandbox, volume or batch.
        - Rules the workflows check after decoding (lengths, ranges, patterns: sections 4 to 9) are
          not in the schemas.

        ## Payloads by workflow

        Each argument is its own payload, in this order.

        | workflow type | kind | name | arguments | result |
        |---|---|---|---|---|
        """.formatted(WireSchemaTest.REFRESH_COMMAND));
    for (Operation op : operations()) {
      List<String> args = new ArrayList<>();
      op.arguments().forEach(t -> args.add(payload(t)));
      out.append("| `").append(op.workflowType()).append("` | ").append(op.kind()).append(" | `")
          .append(op.name()).append("` | ").append(args.isEmpty() ? "none" : String.join(", ", args))
          .append(" | ").append(payload(op.result())).append(" |\n");
    }
    out.append("\n## Schemas\n\n| schema | under `$defs` |\n|---|---|\n");
    SchemaGenerator generator = generator();
    for (Class<?> type : topLevelTypes()) {
      JsonNode defs = schemaOf(generator, type).get("$defs");
      Set<String> nested = new LinkedHashSet<>();
      if (defs != null) {
        defs.fieldNames().forEachRemaining(nested::add);
      }
      out.append("| [").append(type.getSimpleName()).append("](").append(type.getSimpleName())
          .append(SCHEMA_SUFFIX).append(") | ")
          .append(nested.isEmpty() ? "—" : String.join(", ", nested.stream().sorted().toList()))
          .append(" |\n");
    }
    return out.toString();
  }

  private static String payload(Type type) {
    if (type instanceof Class<?> c) {
      if (c.isRecord()) {
        return "[`" + c.getSimpleName() + "`](" + c.getSimpleName() + SCHEMA_SUFFIX + ")";
      } else if (c == void.class || c == Void.class) {
        return "nothing";
      } else if (c == String.class) {
        return "string";
      } else if (c == int.class || c == long.class) {
        return "integer";
      } else if (c == Duration.class) {
        return "duration (number of seconds)";
      } else if (c == byte[].class) {
        return "bytes (`binary/plain` payload)";
      }
    }
    throw new IllegalStateException("no payload description for " + type);
  }
}
