package dev.sandboxes.runtime.agent;

/** Receives an exec's output as the agent sends it, in order, one frame at a time. */
public interface OutputSink {
  /** A piece of standard output (the array is reused after the call returns). */
  void stdout(byte[] bytes, int offset, int length);

  /** A piece of standard error (the array is reused after the call returns). */
  void stderr(byte[] bytes, int offset, int length);
}
