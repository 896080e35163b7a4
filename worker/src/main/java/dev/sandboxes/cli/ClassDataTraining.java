package dev.sandboxes.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The run from which {@code bin/sandbox} learns which classes the client commands load, once per
 * build and JVM, to make its class-data archive: a development
 * stack on the local runtime in a child process, and against it, in this JVM, the commands people
 * and scripts call most (create, get, list, exec, logs, wait, terminate, their JSON forms, a not-found, help),
 * their output discarded. Not a command of the CLI; exits 0 when every command answered as
 * expected, 1 otherwise (the archive is then still made, from what was loaded).
 */
final class ClassDataTraining {
  private ClassDataTraining() {}

  /** The longest the training may take: the first command after a build never hangs on it. */
  static final java.time.Duration LIMIT = java.time.Duration.ofMinutes(3);

  public static void main(String[] args) throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    // the stack in a process of its own, so that what it loads (a server, a worker) stays out
    // of the archive, which then holds what the client commands load and little else; its PATH
    // without the temporal CLI, so that it runs Temporal's in-process server
    ProcessBuilder dev = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), SandboxCommand.class.getName(),
        "dev", "--runtime", "local", "--port", String.valueOf(port))
        .redirectErrorStream(true);
    dev.environment().put("PATH", withoutTemporalCli(dev.environment().getOrDefault("PATH", "")));
    Process stack = dev.start();
    Runtime.getRuntime().addShutdownHook(new Thread(stack::destroy, "class-data-training-stop"));
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(LIMIT.toMillis());
        System.err.println("class-data training: not done after " + LIMIT.toMinutes() + " minutes; ending it");
        System.exit(1);
      } catch (InterruptedException e) {
        // done in time
      }
    }, "class-data-training-limit");
    watchdog.setDaemon(true);
    watchdog.start();
    List<String> unexpected = new ArrayList<>();
    try {
      awaitReady(stack);
      PrintWriter sink = new PrintWriter(Writer.nullWriter());
      String address = "--address=127.0.0.1:" + port;
      String name = "class-data-training-" + UUID.randomUUID().toString().substring(0, 8);
      run(sink, unexpected, ExitCodes.OK, "create", "busybox:1.36", "--name", name, "--wait", address,
          "--", "sh", "-c", "echo trained; exec sleep 600");
      run(sink, unexpected, ExitCodes.OK, "get", name, address);
      run(sink, unexpected, ExitCodes.OK, "get", name, "--json", address);
      run(sink, unexpected, ExitCodes.OK, "list", address);
      run(sink, unexpected, ExitCodes.OK, "list", "--json", address);
      run(sink, unexpected, ExitCodes.OK, "exec", name, address, "--", "true");
      run(sink, unexpected, ExitCodes.OK, "exec", name, "--json", address, "--", "true");
      run(sink, unexpected, ExitCodes.OK, "logs", name, "--tail", "10", address);
      run(sink, unexpected, ExitCodes.OK, "wait", name, "--for", "running", address);
      run(sink, unexpected, ExitCodes.OK, "terminate", name, address);
      run(sink, unexpected, ExitCodes.OK, "list", "--all", address);
      run(sink, unexpected, ExitCodes.NOT_FOUND, "get", name + "-absent", address);
      run(sink, unexpected, ExitCodes.OK, "get", "--help");
    } finally {
      stack.destroy(); // the dev stack ends the sandboxes it started, then exits
      if (!stack.waitFor(60, TimeUnit.SECONDS)) {
        stack.destroyForcibly();
      }
    }
    if (!unexpected.isEmpty()) {
      System.err.println("class-data training: " + String.join("; ", unexpected));
    }
    System.exit(unexpected.isEmpty() ? 0 : 1);
  }

  /** {@code path} without the directories that hold a {@code temporal} program. */
  static String withoutTemporalCli(String path) {
    return java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
        .filter(dir -> !dir.isEmpty() && !java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "temporal")))
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  /** Reads the stack's output until its "ready" line (and the rest on, so that it never blocks). */
  private static void awaitReady(Process stack) throws InterruptedException {
    java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(stack.getInputStream(),
          java.nio.charset.StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          if (line.startsWith("ready ")) {
            ready.countDown();
          }
        }
      } catch (java.io.IOException e) {
        // the stack ended
      }
    }, "class-data-training-stack");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!ready.await(200, TimeUnit.MILLISECONDS)) {
      if (!stack.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the development stack did not start (exit code "
            + (stack.isAlive() ? "none, not ready within 120 s" : stack.exitValue()) + ")");
      }
    }
  }

  private static void run(PrintWriter sink, List<String> unexpected, int expected, String... args) {
    int code = SandboxCommand.execute(args, sink, sink);
    if (code != expected) {
      unexpected.add(String.join(" ", args) + " exited " + code + ", not " + expected);
    }
  }
}
