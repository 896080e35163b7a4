package dev.sandboxes.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sandboxes.client.SandboxSummary;
import dev.sandboxes.model.SandboxStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** How the CLI prints statuses: aligned text for people, JSON objects for programs. */
final class Output {
  static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

  private Output() {}

  /** A status as the JSON object {@code get --json} prints, phase spelt in lower case. */
  static Map<String, Object> json(SandboxStatus s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", s.name());
    o.put("image", s.image());
    o.put("phase", s.phase().wireName());
    o.put("reason", s.reason());
    o.put("message", s.message());
    o.put("exitCode", s.exitCode());
    o.put("tags", s.tags());
    o.put("createdAt", s.createdAt());
    o.put("startedAt", s.startedAt());
    o.put("finishedAt", s.finishedAt());
    o.put("pod", s.ref() == null ? null : s.ref().toString());
    o.put("execCount", s.execCount());
    return o;
  }

  /** What the search attributes say of a sandbox whose workflow kept no status in its memo. */
  static Map<String, Object> json(SandboxSummary s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", s.name());
    o.put("image", s.image());
    o.put("phase", s.phase().wireName());
    o.put("tags", s.tags());
    o.put("createdAt", s.startTime());
    return o;
  }

  /** Prints {@code json} as JSON with {@code --json}, else the line {@code text}. */
  static void print(PrintWriter out, boolean asJson, Object json, String text) {
    if (asJson) {
      printJson(out, json);
    } else {
      out.println(text);
    }
  }

  static void printJson(PrintWriter out, Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static void printStatus(PrintWriter out, SandboxStatus s) {
    Map<String, Object> fields = json(s);
    fields.forEach((k, v) -> {
      if (v != null && !(v instanceof Map<?, ?> m && m.isEmpty())) {
        out.printf("%-11s %s%n", k + ":", v instanceof Map<?, ?> m ? tags(m) : v);
      }
    });
  }

  static String tags(Map<?, ?> tags) {
    return tags.isEmpty() ? "-" : tags.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
  }

  static String time(Instant t) {
    return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The table of {@code list}: NAME IMAGE PHASE CREATED STARTED EXIT TAGS. */
  static void printTable(PrintWriter out, List<SandboxSummary> rows) {
    Table table = new Table("NAME", "IMAGE", "PHASE", "CREATED", "STARTED", "EXIT", "TAGS");
    for (SandboxSummary row : rows) {
      SandboxStatus s = row.status();
      table.row(row.name(), row.image(), (s != null ? s.phase() : row.phase()).wireName(),
          time(s != null && s.createdAt() != null ? s.createdAt() : row.startTime()),
          time(s == null ? null : s.startedAt()), s == null ? null : s.exitCode(), tags(row.tags()));
    }
    table.print(out);
  }
}
