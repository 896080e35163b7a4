// Drives one sandbox from TypeScript with @temporalio/client, as docs/wire-format.md describes.
//
//   npm ci && npm run build
//   node dist/sandbox-sample.js [--address HOST:PORT] [--namespace NS] [--task-queue QUEUE]
//
// The defaults come from TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default) and
// SANDBOXES_TASK_QUEUE (sandboxes). A worker must serve that task queue, e.g. `sandbox dev`.
// Prints one line per step and exits 1 when a check fails.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

const IMAGE = 'busybox:1.36';
const PHASE = defineSearchAttributeKey('SandboxPhase', SearchAttributeType.KEYWORD);
const IMAGE_KEY = defineSearchAttributeKey('SandboxImage', SearchAttributeType.KEYWORD);
const TAGS = defineSearchAttributeKey('SandboxTags', SearchAttributeType.KEYWORD_LIST);
const TERMINAL_PHASES = ['SUCCEEDED', 'FAILED', 'TERMINATED']; // upper case in payloads (3.3)

// The parts of the results this sample reads (4.7); the rest is ignored.
interface SandboxStatus { name: string; phase: string; reason: string | null; message: string | null }
interface SandboxResult { status: SandboxStatus }
interface ExecResult { exitCode: number; stdout: string; stderr: string; timedOut: boolean; duration: number }
interface LogChunk { lines: { timestamp: string | null; text: string }[]; truncated: boolean }

class CheckFailed extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new CheckFailed(`expected ${what}`);
}

async function run(address: string, namespace: string, taskQueue: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace });
    const name = `ts-sample-${randomUUID().slice(0, 8)}`;
    const workflowId = `sandbox/${name}`;
    // its command prints a line, then it serves exec until terminated (or its ttl, in seconds, 3.1)
    const command = ['sh', '-c', 'echo hello from the sandbox; exec sleep 600'];
    const spec = { image: IMAGE, name, command, tags: { sample: 'typescript' }, ttl: 600 };

    await client.workflow.start('Sandbox', {
      args: [{ spec, notifyParent: false, carried: null }],
      workflowId,
      taskQueue,
      workflowIdReusePolicy: 'REJECT_DUPLICATE', // a name is never reused (2.1)
      typedSearchAttributes: [ // what the Java client sets (2.2)
        { key: PHASE, value: 'queued' },
        { key: IMAGE_KEY, value: IMAGE },
        { key: TAGS, value: ['sample=typescript'] },
      ],
      staticSummary: [IMAGE, ...command].join(' ').slice(0, 200),
    });
    console.log(`started   ${workflowId}`);
    // address it by workflow ID alone: updates and the result follow continue-as-new (2)
    const sandbox = client.workflow.getHandle(workflowId);

    const status = await sandbox.executeUpdate<SandboxStatus, [number]>('awaitRunning', { args: [60] }); // seconds
    check(status.phase === 'RUNNING', `phase RUNNING, got ${JSON.stringify(status)}`);
    console.log(`running   phase=${status.phase}`);

    const execId = `hello-${randomUUID().slice(0, 8)}`; // the exec's ID, also the update's ID (4.6)
    const argv = ['sh', '-c', 'echo hello from typescript; echo oops >&2; exit 3'];
    const result = await sandbox.executeUpdate<ExecResult, [object]>('exec', {
      args: [{ argv, timeout: 30, id: execId }],
      updateId: execId,
    });
    console.log(`exec      exit=${result.exitCode} stdout=${JSON.stringify(result.stdout)} stderr=${JSON.stringify(result.stderr)}`);
    check(result.exitCode === 3, 'exit code 3'); // a non-zero exit is a result, not an error
    check(result.stdout === 'hello from typescript\n', "stdout 'hello from typescript\\n'");
    check(result.stderr === 'oops\n', "stderr 'oops\\n'");

    const logs = await sandbox.executeUpdate<LogChunk, [object]>('logs', { args: [{ tail: 100 }] });
    const texts = logs.lines.map((line) => line.text); // oldest first; stdout and stderr
    console.log(`logs      ${JSON.stringify(texts)}`);
    check(texts.includes('hello from the sandbox'), "the main process's line in the logs");

    try {
      await sandbox.executeUpdate('exec', { args: [{ argv: [] }] });
      check(false, 'an exec with an empty argv to be refused');
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)) throw err;
      // the documented type (12.1), the same whether a validator or a handler refused
      console.log(`refused   type=${err.cause.type}: ${err.cause.message}`);
      check(err.cause.type === 'InvalidSandboxSpec', 'error type InvalidSandboxSpec');
    }

    const final = await sandbox.executeUpdate<SandboxStatus, [string]>('terminate', { args: ['sample done'] });
    console.log(`terminate phase=${final.phase} reason=${final.reason}`);
    check(final.phase === 'TERMINATED', 'phase TERMINATED');

    const outcome = (await sandbox.result()) as SandboxResult; // a SandboxResult (4.7)
    console.log(`result    phase=${outcome.status.phase} reason=${outcome.status.reason}`);
    check(TERMINAL_PHASES.includes(outcome.status.phase), 'a terminal phase');
  } finally {
    await connection.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      address: { type: 'string', default: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' },
      namespace: { type: 'string', default: process.env.TEMPORAL_NAMESPACE ?? 'default' },
      'task-queue': { type: 'string', default: process.env.SANDBOXES_TASK_QUEUE ?? 'sandboxes' },
    },
  });
  try {
    await run(values.address, values.namespace, values['task-queue']);
  } catch (err) {
    if (!(err instanceof CheckFailed)) throw err;
    console.error(`FAILED: ${err.message}`);
    return 1;
  }
  console.log('typescript sample: all checks passed');
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);
