#!/usr/bin/env python3
"""Drives one sandbox from Python with the temporalio SDK, as docs/wire-format.md describes.

    pip install -r requirements.txt
    python sandbox_sample.py [--address HOST:PORT] [--namespace NS] [--task-queue QUEUE]

The defaults come from TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default) and
SANDBOXES_TASK_QUEUE (sandboxes). A worker must serve that task queue, e.g. `sandbox dev`.
Prints one line per step and exits 1 when a check fails.
"""

import argparse
import asyncio
import os
import sys
import uuid

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDReusePolicy,
)

IMAGE = "busybox:1.36"
PHASE = SearchAttributeKey.for_keyword("SandboxPhase")
IMAGE_KEY = SearchAttributeKey.for_keyword("SandboxImage")
TAGS = SearchAttributeKey.for_keyword_list("SandboxTags")
TERMINAL_PHASES = {"SUCCEEDED", "FAILED", "TERMINATED"}  # upper case in payloads (3.3)

class CheckFailed(Exception):
    pass


def check(ok: bool, what: str) -> None:
    if not ok:
        raise CheckFailed(f"expected {what}")


async def run(address: str, namespace: str, task_queue: str) -> None:
    client = await Client.connect(address, namespace=namespace)
    name = f"py-sample-{uuid.uuid4().hex[:8]}"
    workflow_id = f"sandbox/{name}"
    # its command prints a line, then it serves exec until terminated (or its ttl, in seconds, 3.1)
    command = ["sh", "-c", "echo hello from the sandbox; exec sleep 600"]
    spec = {"image": IMAGE, "name": name, "command": command, "tags": {"sample": "python"}, "ttl": 600.0}

    await client.start_workflow(
        "Sandbox",
        {"spec": spec, "notifyParent": False, "carried": None},
        id=workflow_id,
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,  # a name is never reused (2.1)
        search_attributes=TypedSearchAttributes([  # what the Java client sets (2.2)
            SearchAttributePair(PHASE, "queued"),
            SearchAttributePair(IMAGE_KEY, IMAGE),
            SearchAttributePair(TAGS, ["sample=python"]),
        ]),
        static_summary=" ".join([IMAGE, *command])[:200],
    )
    print(f"started   {workflow_id}")
    # address it by workflow ID alone: updates and the result follow continue-as-new (2)
    sandbox = client.get_workflow_handle(workflow_id, result_type=dict)

    status = await sandbox.execute_update("awaitRunning", 60.0, result_type=dict)  # seconds
    check(status["phase"] == "RUNNING", f"phase RUNNING, got {status}")
    print(f"running   phase={status['phase']}")

    exec_id = f"hello-{uuid.uuid4().hex[:8]}"  # the exec's ID, also the update's ID (4.6)
    argv = ["sh", "-c", "echo hello from python; echo oops >&2; exit 3"]
    result = await sandbox.execute_update(
        "exec", {"argv": argv, "timeout": 30.0, "id": exec_id}, id=exec_id, result_type=dict)
    print(f"exec      exit={result['exitCode']} stdout={result['stdout']!r} stderr={result['stderr']!r}")
    check(result["exitCode"] == 3, "exit code 3")  # a non-zero exit is a result, not an error
    check(result["stdout"] == "hello from python\n", "stdout 'hello from python\\n'")
    check(result["stderr"] == "oops\n", "stderr 'oops\\n'")

    logs = await sandbox.execute_update("logs", {"tail": 100}, result_type=dict)
    texts = [line["text"] for line in logs["lines"]]  # oldest first; stdout and stderr
    print(f"logs      {texts}")
    check("hello from the sandbox" in texts, "the main process's line in the logs")

    try:
        await sandbox.execute_update("exec", {"argv": []}, result_type=dict)
        check(False, "an exec with an empty argv to be refused")
    except WorkflowUpdateFailedError as err:
        # the documented type (12.1), the same whether a validator or a handler refused
        print(f"refused   type={err.cause.type}: {err.cause.message}")
        check(err.cause.type == "InvalidSandboxSpec", "error type InvalidSandboxSpec")

    final = await sandbox.execute_update("terminate", "sample done", result_type=dict)
    print(f"terminate phase={final['phase']} reason={final['reason']}")
    check(final["phase"] == "TERMINATED", "phase TERMINATED")

    outcome = await sandbox.result()  # a SandboxResult (4.7)
    print(f"result    phase={outcome['status']['phase']} reason={outcome['status']['reason']}")
    check(outcome["status"]["phase"] in TERMINAL_PHASES, "a terminal phase")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=os.environ.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"))
    parser.add_argument("--namespace", default=os.environ.get("TEMPORAL_NAMESPACE", "default"))
    parser.add_argument("--task-queue", default=os.environ.get("SANDBOXES_TASK_QUEUE", "sandboxes"))
    args = parser.parse_args()
    try:
        asyncio.run(run(args.address, args.namespace, args.task_queue))
    except CheckFailed as failed:
        print(f"FAILED: {failed}", file=sys.stderr)
        return 1
    print("python sample: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
