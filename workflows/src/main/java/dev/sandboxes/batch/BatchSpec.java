package dev.sandboxes.batch;

import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch: many sandboxes, each running one item, at most {@code parallelism} at a time.
 * Items are either explicit specs ({@code items}) or a {@code template} run {@code count} times
 * or once per entry of {@code inputs}. Each item's sandbox gets the environment variables
 * {@code SANDBOX_INDEX} (from 0) and, with inputs, {@code SANDBOX_INPUT}, the tag
 * {@code batch=<name>}, and the name {@code <name>-<index>} ({@code -r<attempt>} for retries).
 *
 * @param name the batch's name (workflow {@code batch/<name>}); at most 40 characters
 * @param failFast stop at the first item that fails for good: terminate the running ones, start no more
 * @param tailLines output lines kept per item result (default 20, at most 200; 4 KiB in all)
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record BatchSpec(String name, List<SandboxSpec> items, SandboxSpec template, Integer count,
    List<String> inputs, int parallelism, RetryPolicy retry, boolean failFast, Integer tailLines) {
  public static final int MAX_NAME = 40;
  public static final int MAX_ITEMS = 100_000;
  public static final int MAX_PARALLELISM = 1000;
  public static final int DEFAULT_TAIL_LINES = 20;
  public static final int MAX_TAIL_LINES = 200;
  public static final int MAX_INPUT_CHARS = 32 * 1024;
  /**
   * The most a batch spec may weigh serialized: it is the batch workflow's input, carried again at
   * each continue-as-new, and Temporal refuses payloads over 2 MB. Large inputs belong in a volume.
   */
  public static final int MAX_SERIALIZED_BYTES = 1024 * 1024;
  public static final String INDEX_ENV = "SANDBOX_INDEX";
  public static final String INPUT_ENV = "SANDBOX_INPUT";
  public static final String BATCH_TAG = "batch";

  /**
   * Copies {@code items} and {@code inputs} ({@code null} stays {@code null}), keeping null
   * elements so that validation can name them; a {@code null} {@code retry} is
   * {@link RetryPolicy#none()}.
   */
  public BatchSpec {
    // List.copyOf rejects null elements; keep them so validation can name them.
    items = items == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(items));
    inputs = inputs == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(inputs));
    retry = retry == null ? RetryPolicy.none() : retry;
  }

  /** {@code template} run {@code count} times. */
  public static BatchSpec ofCount(String name, SandboxSpec template, int count, int parallelism) {
    return new BatchSpec(name, null, template, count, null, parallelism, null, false, null);
  }

  /** {@code template} run once per input. */
  public static BatchSpec ofInputs(String name, SandboxSpec template, List<String> inputs, int parallelism) {
    return new BatchSpec(name, null, template, null, inputs, parallelism, null, false, null);
  }

  /** Explicit specs, one per item (their names are replaced by the batch's item names). */
  public static BatchSpec ofSpecs(String name, List<SandboxSpec> items, int parallelism) {
    return new BatchSpec(name, items, null, null, null, parallelism, null, false, null);
  }

  /** A copy that retries items by {@code policy}; {@code null} for {@link RetryPolicy#none()}. */
  public BatchSpec withRetry(RetryPolicy policy) {
    return new BatchSpec(name, items, template, count, inputs, parallelism, policy, failFast, tailLines);
  }

  /** A copy that stops at the first item that fails for good when {@code stop} is true. */
  public BatchSpec withFailFast(boolean stop) {
    return new BatchSpec(name, items, template, count, inputs, parallelism, retry, stop, tailLines);
  }

  /** A copy named {@code batchName}, at most {@link #MAX_NAME} characters. */
  public BatchSpec withName(String batchName) {
    return new BatchSpec(batchName, items, template, count, inputs, parallelism, retry, failFast, tailLines);
  }

  /**
   * A copy that keeps {@code lines} output lines per item result (0 to {@link #MAX_TAIL_LINES});
   * {@code null} for {@link #DEFAULT_TAIL_LINES}.
   */
  public BatchSpec withTailLines(Integer lines) {
    return new BatchSpec(name, items, template, count, inputs, parallelism, retry, failFast, lines);
  }

  /** How many items the batch has. */
  public int size() {
    return items != null ? items.size() : inputs != null ? inputs.size() : count == null ? 0 : count;
  }

  /** The output lines kept per item result: {@code tailLines}, or {@link #DEFAULT_TAIL_LINES} when unset. */
  public int effectiveTailLines() {
    return tailLines == null ? DEFAULT_TAIL_LINES : tailLines;
  }

  /** The spec of attempt {@code attempt} of item {@code index}: named, tagged, with its environment. */
  public SandboxSpec itemSpec(int index, int attempt) {
    return itemSpec(name, items != null ? items.get(index) : template, index,
        inputs != null ? inputs.get(index) : null, attempt);
  }

  /** The items {@code [from, to)} as a chunk runs them. */
  public ChunkRequest chunk(int from, int to) {
    return new ChunkRequest(name, from, to, items == null ? null : items.subList(from, to), template,
        inputs == null ? null : inputs.subList(from, to), parallelism, retry, failFast, effectiveTailLines());
  }

  static SandboxSpec itemSpec(String batch, SandboxSpec base, int index, String input, int attempt) {
    Map<String, String> env = new LinkedHashMap<>(base.env());
    env.put(INDEX_ENV, Integer.toString(index));
    if (input != null) {
      env.put(INPUT_ENV, input);
    }
    Map<String, String> tags = new LinkedHashMap<>(base.tags());
    tags.put(BATCH_TAG, batch);
    return base.toBuilder().name(batch + "-" + index + (attempt > 1 ? "-r" + attempt : ""))
        .env(env).tags(tags).build();
  }

  /** Every rule broken, each naming its field. */
  public List<Violation> violations() {
    List<Violation> v = new ArrayList<>();
    if (name != null) {
      v.addAll(SandboxNames.labelViolations("name", name, MAX_NAME));
    }
    int sources = (items != null ? 1 : 0) + (template != null ? 1 : 0);
    if (sources != 1) {
      v.add(new Violation("items", "give either a list of specs or a template, not "
          + (sources == 0 ? "neither" : "both")));
    }
    if (template != null && (count == null) == (inputs == null)) {
      v.add(new Violation("count", "a template needs either count or inputs, not "
          + (count == null ? "neither" : "both")));
    }
    if (items == null && template == null || size() < 1 || size() > MAX_ITEMS) {
      if (sources == 1) {
        v.add(new Violation(items != null ? "items" : count != null ? "count" : "inputs",
            "must give 1 to " + MAX_ITEMS + " items, got " + size()));
      }
    }
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      v.add(new Violation("parallelism", "must be between 1 and " + MAX_PARALLELISM + ", got " + parallelism));
    }
    if (retry.attempts() < 1 || retry.attempts() > RetryPolicy.MAX_ATTEMPTS) {
      v.add(new Violation("retry.attempts", "must be between 1 and " + RetryPolicy.MAX_ATTEMPTS
          + ", got " + retry.attempts()));
    }
    if (retry.initialBackoff().isNegative() || retry.initialBackoff().compareTo(RetryPolicy.MAX_BACKOFF) > 0) {
      v.add(new Violation("retry.initialBackoff", "must be between 0 and " + RetryPolicy.MAX_BACKOFF + ", got "
          + retry.initialBackoff()));
    } else if (retry.maxBackoff().compareTo(retry.initialBackoff()) < 0) {
      v.add(new Violation("retry.maxBackoff", "must be at least initialBackoff, which must not be negative"));
    } else if (retry.maxBackoff().compareTo(RetryPolicy.MAX_BACKOFF) > 0) {
      v.add(new Violation("retry.maxBackoff", "must be at most " + RetryPolicy.MAX_BACKOFF + ", got "
          + retry.maxBackoff()));
    }
    if (retry.retryOn().size() > RetryPolicy.MAX_RETRY_ON) {
      v.add(new Violation("retry.retryOn", "must have at most " + RetryPolicy.MAX_RETRY_ON + " entries, got "
          + retry.retryOn().size()));
    } else {
      for (String outcome : retry.retryOn()) {
        if (outcome == null || outcome.isBlank() || outcome.length() > 63
            || outcome.startsWith("exit:") && !outcome.matches("exit:-?\\d{1,3}")) {
          v.add(new Violation("retry.retryOn", "entries are phases, reasons or exit:N, got "
              + (outcome == null ? "null" : "\"" + abbreviate(outcome) + "\"")));
        }
      }
    }
    if (tailLines != null && (tailLines < 0 || tailLines > MAX_TAIL_LINES)) {
      v.add(new Violation("tailLines", "must be between 0 and " + MAX_TAIL_LINES + ", got " + tailLines));
    }
    if (inputs != null && inputs.size() <= MAX_ITEMS) {
      for (int i = 0; i < inputs.size(); i++) {
        if (inputs.get(i) == null || inputs.get(i).length() > MAX_INPUT_CHARS) {
          v.add(new Violation("inputs[" + i + "]", "must be set and at most " + MAX_INPUT_CHARS + " characters"));
          break;
        }
      }
    }
    if (items != null && items.size() <= MAX_ITEMS) {
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i) == null) {
          v.add(new Violation("items[" + i + "]", "must not be null"));
          break;
        }
      }
    }
    if (v.isEmpty()) {
      // every item as it will run: its own spec rules, checked on a sample when there are many
      int n = size();
      for (int i : n <= 100 ? java.util.stream.IntStream.range(0, n).toArray() : new int[] {0, n - 1}) {
        for (Violation item : itemSpec(i, 1).violations()) {
          v.add(new Violation((items != null ? "items[" + i + "]." : "template.") + item.field(), item.message()));
        }
        if (template != null && !v.isEmpty()) {
          break;
        }
      }
      if (items != null && n > 100) {
        for (int i = 0; i < n; i++) {
          for (Violation item : items.get(i).violations()) {
            if (!item.field().equals("name")) {
              v.add(new Violation("items[" + i + "]." + item.field(), item.message()));
            }
          }
        }
      }
    }
    if (v.isEmpty()) {
      int bytes = serializedSize();
      if (bytes > MAX_SERIALIZED_BYTES) {
        v.add(new Violation(inputs != null ? "inputs" : items != null ? "items" : "template",
            "must serialize to at most " + MAX_SERIALIZED_BYTES + " bytes (1 MiB) with the rest of the batch spec, got "
                + bytes + "; put large inputs in a volume and pass their paths"));
      }
    }
    return v;
  }

  private int serializedSize() {
    return io.temporal.common.converter.DefaultDataConverter.STANDARD_INSTANCE.toPayload(this)
        .map(io.temporal.api.common.v1.Payload::getSerializedSize).orElse(0);
  }

  private static String abbreviate(String value) {
    return value.length() > 64 ? value.substring(0, 64) + "..." : value;
  }

  /** Validates a batch name: a DNS-1123 label of at most {@link #MAX_NAME} characters. */
  public static String validName(String name) {
    List<Violation> v = SandboxNames.labelViolations("name", name, MAX_NAME);
    if (!v.isEmpty()) {
      throw new InvalidSpecException("batch name", v);
    }
    return name;
  }

  /**
   * Returns this spec, or throws {@link InvalidSpecException} naming every broken rule
   * ({@link #violations()}).
   */
  public BatchSpec validated() {
    List<Violation> v = violations();
    if (!v.isEmpty()) {
      throw new InvalidSpecException("batch spec", v);
    }
    return this;
  }
}
