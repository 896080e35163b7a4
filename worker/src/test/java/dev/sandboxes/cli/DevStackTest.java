package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Development stacks side by side on one host, and {@code create --wait} when the sandbox ends
 * instead of running. Each test starts its own stacks on the local runtime.
 */
class DevStackTest {
  record Run(int code, String out, String err) {}

  static Run sandbox(String address, String... args) {
    List<String> argv = new ArrayList<>(List.of(args[0], "--address", address));
    argv.addAll(Arrays.asList(args).subList(1, args.length));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SandboxCommand.execute(argv.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void twoStacksOnOneHostServeASandboxOfTheSameNameEach() throws Exception {
    String name = "twin-" + ProcessHandle.current().pid();
    int portA = DemoCommand.freePort();
    int portB = DemoCommand.freePort();
    try (EmbeddedStack a = EmbeddedStack.start(portA, "local");
        EmbeddedStack b = EmbeddedStack.start(portB, "local")) {
      assertThat(EmbeddedStack.directory(portA).resolve("local")).isDirectory();
      assertThat(EmbeddedStack.directory(portB).resolve("local")).isDirectory();
      for (EmbeddedStack stack : List.of(a, b)) {
        Run created = sandbox(stack.address(), "create", "busybox:1.36", "--name", name, "--wait");
        assertThat(created.code()).as(created.err()).isZero();
      }
      for (EmbeddedStack stack : List.of(a, b)) {
        Run exec = sandbox(stack.address(), "exec", name, "--", "sh", "-c", "echo on " + stack.address());
        assertThat(exec.code()).as(exec.err()).isZero();
        assertThat(exec.out()).isEqualTo("on " + stack.address() + "\n");
        Run get = sandbox(stack.address(), "get", name);
        assertThat(get.out()).as("the sandbox on %s", stack.address()).contains("running");
      }
    }
    // stopped, each stack took its directory with it: sandboxes, volumes, the server's database
    assertThat(EmbeddedStack.directory(portA)).doesNotExist();
    assertThat(EmbeddedStack.directory(portB)).doesNotExist();
  }

  @Test
  void createWaitExits3WithThePhaseAndReasonWhenTheSandboxEndsInsteadOfRunning() throws Exception {
    String name = "taken-" + ProcessHandle.current().pid();
    try (EmbeddedStack stack = EmbeddedStack.start(DemoCommand.freePort(), "local")) {
      // something else already holds the name on the platform: the sandbox cannot be made
      stack.runtime().create(SandboxSpec.builder("busybox:1.36").name(name).build(),
          new SandboxOwner("someone-else/" + name, "their-run"));
      Run created = sandbox(stack.address(), "create", "busybox:1.36", "--name", name, "--wait");
      assertThat(created.code()).as(created.err()).isEqualTo(ExitCodes.WRONG_PHASE);
      assertThat(created.out().trim()).isEqualTo(name);
      assertThat(created.err()).startsWith("sandbox: sandbox \"" + name + "\" ended failed (");
      assertThat(created.err().lines().count()).as(created.err()).isEqualTo(1);
      Run get = sandbox(stack.address(), "get", name);
      assertThat(get.out()).contains("failed");
    }
  }

  @Test
  void aPortWhoseUiOrMetricsPortWouldBeOutOfRangeIsRefusedNamingTheValueTyped() {
    for (String port : List.of("0", "-1", "63536", "65500", "99999")) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int dev = SandboxCommand.execute(new String[] {"dev", "--port", port}, new PrintWriter(out), new PrintWriter(err));
      assertThat(dev).as(err.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(err.toString()).contains("--port must be between 1 and 63535 (the UI takes PORT+1000, its metrics "
          + "PORT+2000), got " + port);
      StringWriter demoErr = new StringWriter();
      int demo = SandboxCommand.execute(new String[] {"demo", "--port", port}, new PrintWriter(new StringWriter()),
          new PrintWriter(demoErr));
      assertThat(demo).as(demoErr.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(demoErr.toString()).contains("got " + port);
    }
  }
}
