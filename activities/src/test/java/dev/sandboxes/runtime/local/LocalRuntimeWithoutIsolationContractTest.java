package dev.sandboxes.runtime.local;

/** The runtime contract with plain processes (no isolation), as on machines without bubblewrap. */
class LocalRuntimeWithoutIsolationContractTest extends LocalRuntimeContractTest {
  @Override
  protected IsolationMode isolation() {
    return IsolationMode.NONE;
  }
}
