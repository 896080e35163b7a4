package dev.sandboxes.runtime.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.server.mock.ErrorStreamMessage;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.WebSocketMessage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fabric8 mock server in CRUD mode, plus what CRUD mode lacks and a kubelet would serve:
 * pod logs (honouring {@code tailLines}, {@code sinceTime} and {@code timestamps}) and exec
 * sessions.
 *
 * <p>Exec sessions are ordinary websocket expectations, registered at the moment the request
 * arrives for its exact path: the path carries the runtime's wrapped argv (env, workdir and
 * stdin handling), which a script given only the user's argv cannot spell in advance. A script
 * matches when the user's argv ends the sent {@code command} list.
 */
final class SimulatedApiServer extends KubernetesMixedDispatcher {
  private static final Pattern LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");
  private static final Pattern EXEC = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/exec\\?(.*)");

  private static final long NEVER_MILLIS = 15_000L;

  /**
   * The clients' request timeout: past the longest stall of the mock's event loop. When a client
   * closes a watch with events still queued for it, the mock's {@code WatchEventsListener.onClosed}
   * waits on the event loop (up to a minute) for its send executor, whose pending sends wait (up to
   * 30 s each) for writes only that event loop can do; every request on that loop's connections
   * waits meanwhile. The client's default 10 s timed out on such a stall in CI (a pod list right
   * after a probe had closed its watches). Measured: a watch closed 40 times while another client
   * created pods stalled the next list 11 times, 30.0 s each.
   */
  static final int REQUEST_TIMEOUT_MILLIS = 90_000;

  /**
   * An exec's answer: its output and exit code ({@code null}: it never ends). One that
   * {@code breaks} sends its output and closes the stream without an exit status, like the
   * broken exec websockets seen on the rig.
   */
  record ScriptedExec(List<String> argv, String stdout, String stderr, Integer exitCode,
      boolean breaks) {
    ScriptedExec(List<String> argv, String stdout, String stderr, Integer exitCode) {
      this(argv, stdout, stderr, exitCode, false);
    }

    /**
     * An exec of {@code argv} whose stream closes after some output, without an exit status (the
     * mock refuses a session with no message at all).
     */
    static ScriptedExec broken(List<String> argv) {
      return new ScriptedExec(argv, "partial output", "", null, true);
    }
  }

  private final Map<String, List<LogLineAt>> logs = new ConcurrentHashMap<>();
  private final Map<String, List<ScriptedExec>> execs = new ConcurrentHashMap<>();
  private final List<String> execPaths = new CopyOnWriteArrayList<>();
  private final List<String> writes = new CopyOnWriteArrayList<>();
  private KubernetesMockServer server;

  record LogLineAt(Instant at, String text) {}

  private SimulatedApiServer(Map<ServerRequest, Queue<ServerResponse>> responses) {
    super(responses);
  }

  static SimulatedApiServer start() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new ConcurrentHashMap<>();
    SimulatedApiServer dispatcher = new SimulatedApiServer(responses);
    dispatcher.server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
        new MockWebServer(), responses, dispatcher, false) {
      @Override
      protected Config initConfig() {
        Config config = super.initConfig();
        config.setRequestTimeout(REQUEST_TIMEOUT_MILLIS);
        return config;
      }
    };
    dispatcher.server.init();
    return dispatcher;
  }

  KubernetesMockServer server() {
    return server;
  }

  /** The main process of {@code pod} printed {@code lines}, one microsecond apart, from now. */
  void scriptLog(String pod, List<String> lines) {
    Instant start = Instant.now();
    List<LogLineAt> timed = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      timed.add(new LogLineAt(start.plusNanos(i * 1000L), lines.get(i)));
    }
    logs.put(pod, timed);
  }

  /** Pod name that scripts an exec for every pod, e.g. helper pods with generated names. */
  static final String ANY_POD = "*";

  void scriptExec(String pod, ScriptedExec exec) {
    execs.computeIfAbsent(pod, k -> new CopyOnWriteArrayList<>()).add(0, exec);
  }

  /** Paths (with query) of every exec request received, oldest first. */
  List<String> execPaths() {
    return List.copyOf(execPaths);
  }

  /** Every request that is not a GET, as {@code METHOD path}, oldest first. */
  List<String> writes() {
    return List.copyOf(writes);
  }

  private final Map<String, Integer> answersToLose = new ConcurrentHashMap<>();

  /**
   * The next {@code times} requests {@code METHOD path} (path without query) are acted on but
   * answered 503, as when a flaky network loses the API server's answer: the client re-sends.
   */
  void loseAnswers(String method, String path, int times) {
    answersToLose.put(method + " " + path, times);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    if (!"GET".equals(request.getMethod())) {
      writes.add(request.getMethod() + " " + path);
    }
    String key = request.getMethod() + " " + path.replaceFirst("\\?.*", "");
    if (answersToLose.computeIfPresent(key, (k, left) -> left - 1) != null) {
      if (answersToLose.remove(key, -1)) {
        return super.dispatch(request);
      }
      super.dispatch(request);
      return new MockResponse().setResponseCode(503).setBody("{\"kind\":\"Status\",\"code\":503}");
    }
    Matcher log = LOG.matcher(path);
    if ("GET".equals(request.getMethod()) && log.matches() && logs.containsKey(log.group(2))) {
      return serveLog(logs.get(log.group(2)), query(log.group(3)));
    }
    Matcher exec = EXEC.matcher(path);
    if (exec.matches()) {
      execPaths.add(path);
      List<String> command = query("?" + exec.group(3)).getOrDefault("command", List.of());
      List<ScriptedExec> candidates = new ArrayList<>(execs.getOrDefault(exec.group(2), List.of()));
      candidates.addAll(execs.getOrDefault(ANY_POD, List.of()));
      for (ScriptedExec script : candidates) {
        if (endsWith(command, script.argv())) {
          expectSession(path, script);
          break;
        }
      }
    }
    return super.dispatch(request);
  }

  private void expectSession(String path, ScriptedExec script) {
    List<Object> messages = new ArrayList<>();
    if (!script.stdout().isEmpty()) {
      messages.add(new OutputStreamMessage(script.stdout()));
    }
    if (!script.stderr().isEmpty()) {
      messages.add(new ErrorStreamMessage(script.stderr()));
    }
    if (script.breaks()) {
      // Nothing more: the mock closes the session, and no exit status ever arrives.
    } else if (script.exitCode() != null) {
      messages.add(new StatusStreamMessage(script.exitCode()));
    } else {
      // The mock closes a session once its messages are sent, which fabric8 reports as a null
      // exit code. A command that never ends keeps the socket open with one empty stdout frame
      // (channel 1) well after the contract's 1 s timeout; a longer delay only delays the
      // server's shutdown, which waits for pending frames.
      messages.add(new WebSocketMessage(NEVER_MILLIS, new byte[] {1}, true));
    }
    server.expect().get().withPath(path).andUpgradeToWebSocket().open(messages.toArray()).done()
        .once();
  }

  private static MockResponse serveLog(List<LogLineAt> lines, Map<String, List<String>> query) {
    List<LogLineAt> selected = lines;
    if (query.containsKey("sinceTime")) {
      Instant since = Instant.parse(query.get("sinceTime").get(0));
      selected = selected.stream().filter(l -> !l.at().isBefore(since)).toList();
    }
    if (query.containsKey("tailLines")) {
      int tail = Integer.parseInt(query.get("tailLines").get(0));
      selected = selected.subList(Math.max(0, selected.size() - tail), selected.size());
    }
    boolean timestamps = "true".equals(query.getOrDefault("timestamps", List.of("false")).get(0));
    StringBuilder body = new StringBuilder();
    for (LogLineAt line : selected) {
      if (timestamps) {
        body.append(line.at()).append(' ');
      }
      body.append(line.text()).append('\n');
    }
    return new MockResponse().setResponseCode(200).setBody(body.toString());
  }

  private static boolean endsWith(List<String> command, List<String> argv) {
    return command.size() >= argv.size()
        && command.subList(command.size() - argv.size(), command.size()).equals(argv);
  }

  static Map<String, List<String>> query(String query) {
    Map<String, List<String>> params = new java.util.LinkedHashMap<>();
    if (query == null || query.length() < 2) {
      return params;
    }
    for (String pair : query.substring(1).split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return params;
  }
}
