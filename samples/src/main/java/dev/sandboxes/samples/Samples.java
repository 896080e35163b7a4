package dev.sandboxes.samples;

import dev.sandboxes.samples.agent.AgentSample;
import dev.sandboxes.samples.cancel.CancelSample;
import dev.sandboxes.samples.fanout.FanOutSample;
import dev.sandboxes.samples.volumes.VolumeSample;
import java.util.Arrays;
import java.util.UUID;

/**
 * Runs one sample on the embedded stack (in-process Temporal, local runtime):
 * {@code fanout}, {@code agent}, {@code volumes} or {@code cancel}. Exits non-zero when the
 * sample's own check fails.
 */
public final class Samples {
  static final String USAGE = "usage: sample fanout|agent|volumes|cancel";

  private Samples() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println(USAGE);
      System.exit(2);
    }
    Runnable sample = switch (args[0]) {
      case "fanout" -> () -> {
        try (EmbeddedStack stack = EmbeddedStack.create()) {
          FanOutSample.register(stack.worker());
          stack.start();
          FanOutSample.run(stack.client(), uniqueName("sample-fanout"), FanOutSample.DEFAULT, System.out);
        }
      };
      case "agent" -> () -> {
        try (EmbeddedStack stack = EmbeddedStack.create()) {
          AgentSample.register(stack.worker());
          stack.start();
          AgentSample.run(stack.client(), uniqueName("sample-agent"), System.out);
        }
      };
      case "volumes" -> () -> {
        try (EmbeddedStack stack = EmbeddedStack.create()) {
          VolumeSample.register(stack.worker());
          stack.start();
          VolumeSample.run(stack.client(), uniqueName("sample-data"), stack.root(), System.out);
        }
      };
      case "cancel" -> () -> {
        try (EmbeddedStack stack = EmbeddedStack.create()) {
          CancelSample.register(stack.worker());
          stack.start();
          CancelSample.run(stack.client(), uniqueName("sample-cancel"), true, System.out);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
      default -> null;
    };
    if (sample == null) {
      System.err.println("unknown sample \"" + args[0] + "\"; " + USAGE + " (got " + Arrays.toString(args) + ")");
      System.exit(2);
    }
    sample.run();
  }

  /** Workflow IDs and volume names are not reused: each run gets its own. */
  static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
