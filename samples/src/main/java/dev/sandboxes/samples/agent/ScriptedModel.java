package dev.sandboxes.samples.agent;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic stand-in for an LLM, for one task: which of the first 30 Fibonacci numbers are
 * prime, and what is their sum. It reads the transcript the way a model would: its first
 * snippet forgets an import; it recognises the {@code NameError}, adds the import and runs the
 * snippet again; it then sums the primes the tool printed and answers from the tool's output.
 */
public class ScriptedModel implements AgentModel {
  public static final String TASK = "Which of the first 30 Fibonacci numbers are prime, and what is their sum?";

  static final String FIRST_SNIPPET = String.join("\n",
      "def is_prime(n):",
      "    return n > 1 and all(n % d for d in range(2, math.isqrt(n) + 1))",
      "fib = [1, 1]",
      "while len(fib) < 30:",
      "    fib.append(fib[-1] + fib[-2])",
      "print('fibonacci primes:', [f for f in fib if is_prime(f)])");

  private static final Pattern MISSING_NAME = Pattern.compile("NameError: name '(\\w+)' is not defined");
  private static final Pattern PRIMES = Pattern.compile("^fibonacci primes: (\\[[0-9, ]*\\])$");
  private static final Pattern SUM = Pattern.compile("^sum: (\\d+)$");
  private static final List<String> STANDARD_MODULES = List.of("math", "os", "re", "json", "itertools");

  @Override
  public AgentStep next(String task, List<AgentTurn> transcript) {
    if (transcript.isEmpty()) {
      return AgentStep.run("List the first 30 Fibonacci numbers and keep the prime ones.", FIRST_SNIPPET);
    }
    AgentTurn last = transcript.get(transcript.size() - 1);
    if (!last.succeeded()) {
      Matcher missing = find(MISSING_NAME, last.output());
      if (missing != null && STANDARD_MODULES.contains(missing.group(1))) {
        String module = missing.group(1);
        return AgentStep.run("The snippet used " + module + " without importing it; import it and run again.",
            "import " + module + "\n" + last.code());
      }
      return AgentStep.answer("The tool failed in a way I cannot fix.",
          "I could not finish: " + (last.output().isEmpty() ? "no output" : last.output().get(last.output().size() - 1)));
    }
    Matcher sum = latest(SUM, transcript);
    Matcher primes = latest(PRIMES, transcript);
    if (sum != null && primes != null) {
      return AgentStep.answer("Both parts of the task are answered by the tool's output.",
          "The prime Fibonacci numbers among the first 30 are " + primes.group(1) + "; their sum is "
              + sum.group(1) + ".");
    }
    if (primes != null) {
      return AgentStep.run("Add up the primes the tool found.",
          "primes = " + primes.group(1) + "\nprint('sum:', sum(primes))");
    }
    return AgentStep.answer("The tool's output does not say what I need.", "I could not finish: unexpected output");
  }

  private static Matcher find(Pattern pattern, List<String> lines) {
    for (String line : lines) {
      Matcher m = pattern.matcher(line);
      if (m.find()) {
        return m;
      }
    }
    return null;
  }

  /** The match in the most recent successful turn whose output has one. */
  private static Matcher latest(Pattern pattern, List<AgentTurn> transcript) {
    for (int i = transcript.size() - 1; i >= 0; i--) {
      if (transcript.get(i).succeeded()) {
        Matcher m = find(pattern, transcript.get(i).output());
        if (m != null) {
          return m;
        }
      }
    }
    return null;
  }
}
