package dev.sandboxes.runtime.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.OutputPiece;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.runtime.PlatformException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one class that talks to sandbox agents: their HTTP API (see {@code agent/server.go}).
 *
 * <p>Output travels as {@link OutputFrames}, read by offset.
 *
 * <p>Errors: an agent that cannot be reached, or answers 5xx, is {@code SandboxAgentUnavailable}
 * (retryable); a refusal (wrong token, a bad request) is
 * {@code SandboxAgentRefused} (not retryable), with the agent's own error type in the message; an exec ID that names
 * another command is {@code ExecIdInUse}.
 */
public final class AgentGateway implements AutoCloseable {
  private static final int RECONNECTS = 3;
  /** Failed calls are retried at 50, 100, ... up to this many ms apart (3.15 s in all). */
  private static final long CONNECT_BACKOFF_LIMIT_MS = 1600;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final ScheduledExecutorService deadlines;
  private final Duration callTimeout;

  public AgentGateway(Duration connectTimeout, Duration callTimeout) {
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .build();
    this.callTimeout = callTimeout;
    this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "agent-deadlines");
      t.setDaemon(true);
      return t;
    });
  }

  /** What starting an exec answered: whether this call started it, and its output so far. */
  public record Started(boolean created, long outputSize, boolean running) {}

  /**
   * Starts {@code request} as exec {@code execId}, or attaches to the exec of that ID when the
   * same request started it before (a retry after a crash); another request under the same ID is
   * refused. The agent enforces the request's timeout itself.
   */
  public Started start(AgentEndpoint agent, String execId, ExecRequest request)
      throws InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("argv", request.argv());
    if (!request.env().isEmpty()) {
      body.put("env", request.env());
    }
    if (request.workdir() != null) {
      body.put("workdir", request.workdir());
    }
    if (request.stdin() != null) {
      body.put("stdin", request.stdin());
    }
    body.put("timeoutMillis", request.effectiveTimeout().toMillis());
    HttpRequest put = call(agent, "/v1/execs/" + execId)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(json(body)))
        .build();
    HttpResponse<byte[]> response = send(agent, put, "start exec " + execId);
    JsonNode state = parse(response.body());
    return new Started(response.statusCode() == 201, state.path("outputSize").asLong(),
        state.path("running").asBoolean());
  }

  /**
   * Gives a warm pool's pod to the sandbox {@code sandbox}: its agent sets {@code env} for every
   * command and starts {@code command} (none: the sandbox idles) in {@code workdir}. The same
   * claim again answers as the first did (a retry); another sandbox's claim is refused
   * ({@code SandboxAgentRefused}, AlreadyClaimed).
   *
   * @return true when this call claimed the pod, false when the same claim had
   */
  public boolean claim(AgentEndpoint agent, String sandbox, List<String> command, Map<String, String> env,
      String workdir) throws InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sandbox", sandbox);
    if (!command.isEmpty()) {
      body.put("command", command);
    }
    if (!env.isEmpty()) {
      body.put("env", env);
    }
    if (workdir != null) {
      body.put("workdir", workdir);
    }
    HttpRequest post = call(agent, "/v1/claim")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(json(body)))
        .build();
    return send(agent, post, "claim the pool pod for sandbox " + sandbox).statusCode() == 201;
  }

  /** Asks the agent to kill exec {@code execId} (its whole process group). */
  public void kill(AgentEndpoint agent, String execId) throws InterruptedException {
    send(agent, call(agent, "/v1/execs/" + execId + "/kill")
        .POST(HttpRequest.BodyPublishers.noBody()).build(), "kill exec " + execId);
  }

  /** The header in which the agent says at which offset the output it sends starts. */
  static final String OFFSET_HEADER = "X-Output-Offset";

  /**
   * Exec {@code execId}'s output from {@code offset}: what is there, or what comes within
   * {@code wait} (nothing, when nothing came), at most about {@code maxBytes}.
   */
  public ExecOutputChunk read(AgentEndpoint agent, String execId, long offset, Duration wait,
      int maxBytes) throws InterruptedException {
    HttpRequest get = HttpRequest.newBuilder(agent.resolve("/v1/execs/" + execId + "/output?offset="
            + offset + "&waitMillis=" + wait.toMillis() + "&maxBytes=" + maxBytes
            + "&lingerMillis=" + OutputFrames.READ_LINGER.toMillis()))
        .header("Authorization", "Bearer " + agent.token())
        .timeout(callTimeout.plus(wait))
        .GET().build();
    HttpResponse<byte[]> response = send(agent, get, "read exec " + execId);
    byte[] body = response.body();
    // where the frames start: the offset asked for, or where the current end was for END
    long from = response.headers().firstValueAsLong(OFFSET_HEADER).orElse(offset);
    if (from < 0) {
      throw new PlatformException(SandboxErrors.AGENT_UNAVAILABLE, true, "the sandbox's agent at "
          + agent.base() + " did not say where the output it sent for exec " + execId + " starts", null);
    }
    try {
      return OutputFrames.chunk(body, body.length, from);
    } catch (IOException e) {
      throw new PlatformException(SandboxErrors.AGENT_UNAVAILABLE, true,
          "the sandbox's agent at " + agent.base() + " sent broken output for exec " + execId, e);
    }
  }

  /** Where a {@link #follow} stopped: the exit when the output ended, and the offset reached. */
  public record Followed(AgentExit exit, long offset) {
    /** True when the command ended and all its output was read. */
    public boolean ended() {
      return exit != null;
    }
  }

  /**
   * Streams exec {@code execId}'s output from {@code offset} into {@code sink} as it is produced,
   * until the exec ends or {@code deadline} passes (then {@link Followed#exit} is null). A
   * dropped connection is resumed from the last whole frame, up to three times in a row.
   */
  public Followed follow(AgentEndpoint agent, String execId, long offset, OutputSink sink,
      Instant deadline) throws InterruptedException {
    return followPath(agent, "/v1/execs/" + execId + "/output", offset, sink, deadline);
  }

  /** As {@link #follow}, for the output of the sandbox's own command. */
  public Followed followMain(AgentEndpoint agent, long offset, OutputSink sink, Instant deadline)
      throws InterruptedException {
    return followPath(agent, "/v1/main/output", offset, sink, deadline);
  }

  private Followed followPath(AgentEndpoint agent, String path, long offset, OutputSink sink,
      Instant deadline) throws InterruptedException {
    int failures = 0;
    while (true) {
      Duration left = Duration.between(Instant.now(), deadline);
      if (left.isNegative() || left.isZero()) {
        return new Followed(null, offset);
      }
      HttpRequest get = HttpRequest.newBuilder(agent.resolve(path + "?follow=true&offset=" + offset))
          .header("Authorization", "Bearer " + agent.token())
          .GET().build();
      HttpResponse<InputStream> response;
      try {
        response = http.send(get, HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        if (++failures > RECONNECTS) {
          throw unavailable(agent, "follow " + path, e);
        }
        continue;
      }
      if (response.statusCode() != 200) {
        byte[] body = readAll(response.body());
        throw refusedOrUnavailable(agent, "follow " + path, response.statusCode(), body);
      }
      AtomicBoolean expired = new AtomicBoolean();
      InputStream in = response.body();
      ScheduledFuture<?> closer = deadlines.schedule(() -> {
        expired.set(true);
        closeQuietly(in);
      }, left.toMillis(), TimeUnit.MILLISECONDS);
      long start = offset;
      OutputFrames.Reader frames = new OutputFrames.Reader(new DataInputStream(in));
      try {
        while (true) {
          AgentExit exit = frames.next(sink);
          offset = start + frames.consumed();
          if (exit != null) {
            return new Followed(exit, offset);
          }
          if (frames.ended()) {
            break; // closed between frames without an exit frame: the agent is stopping
          }
        }
      } catch (IOException e) {
        offset = start + frames.consumed(); // whole frames only: a torn one is read again
        if (Thread.interrupted()) {
          throw new InterruptedException("following " + path + " was interrupted");
        }
        if (expired.get()) {
          return new Followed(null, offset);
        }
      } finally {
        closer.cancel(false);
        closeQuietly(in);
      }
      failures = offset == start ? failures + 1 : 0;
      if (failures > RECONNECTS) {
        throw unavailable(agent, "follow " + path, null);
      }
    }
  }

  private HttpRequest.Builder call(AgentEndpoint agent, String path) {
    return HttpRequest.newBuilder(agent.resolve(path))
        .header("Authorization", "Bearer " + agent.token())
        .timeout(callTimeout);
  }

  private HttpResponse<byte[]> send(AgentEndpoint agent, HttpRequest request, String what)
      throws InterruptedException {
    HttpResponse<byte[]> response;
    long backoff = 50;
    while (true) {
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        break;
      } catch (IOException e) {
        // Refused, or (through a port-forward) accepted and closed unanswered: the agent of a
        // pod that has just started may not listen yet (it does within milliseconds of the
        // container's start). Every call here is idempotent (an exec start is keyed by its ID),
        // so a few quick retries cover that.
        if (backoff > CONNECT_BACKOFF_LIMIT_MS) {
          throw unavailable(agent, what, e);
        }
        Thread.sleep(backoff);
        backoff *= 2;
      }
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return response;
    }
    throw refusedOrUnavailable(agent, what, status, response.body());
  }

  private static PlatformException unavailable(AgentEndpoint agent, String what, Throwable cause) {
    String why = cause == null ? "the connection kept dropping"
        : cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException
            ? "it does not answer (" + cause + ")" : cause.toString();
    return new PlatformException(SandboxErrors.AGENT_UNAVAILABLE, true,
        "cannot " + what + " on the sandbox's agent at " + agent.base() + ": " + why, cause);
  }

  private static PlatformException refusedOrUnavailable(AgentEndpoint agent, String what,
      int status, byte[] body) {
    String type = "";
    String message = new String(body, java.nio.charset.StandardCharsets.UTF_8).trim();
    try {
      JsonNode error = JSON.readTree(body);
      type = error.path("error").asText("");
      message = error.path("message").asText(message);
    } catch (IOException notJson) {
      // the message stays the raw body
    }
    String text = "the sandbox's agent at " + agent.base() + " answered " + status
        + (type.isEmpty() ? "" : " " + type) + " to " + what + ": " + message;
    if (status >= 500) {
      return new PlatformException(SandboxErrors.AGENT_UNAVAILABLE, true, text, null);
    }
    if (status == 409 && SandboxErrors.EXEC_ID_IN_USE.equals(type)) {
      return new PlatformException(SandboxErrors.EXEC_ID_IN_USE, false, message, null);
    }
    if (status == 404 && "ExecNotFound".equals(type)) {
      return new PlatformException(SandboxErrors.NOT_FOUND, false, message, null);
    }
    return new PlatformException(SandboxErrors.AGENT_REFUSED, false, text, null);
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new PlatformException(SandboxErrors.AGENT_UNAVAILABLE, true,
          "the sandbox's agent answered something that is not JSON", e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readNBytes(64 * 1024);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // closing is best effort
    }
  }

  @Override
  public void close() {
    deadlines.shutdownNow();
  }
}
