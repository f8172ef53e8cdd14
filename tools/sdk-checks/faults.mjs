// faults.mjs: the unmodified official `openai` npm package (v4, default
// maxRetries = 2) against `mockkit serve --fault ...`: it must retry a 429
// that carries retry-after, honouring the wait, and surface a stream cut
// after two events as an error. Starts its own serve (MOCKKIT_BIN, set by
// run.sh) so the faults are given on the command line as a user would.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';

const bin = process.env.MOCKKIT_BIN;
const fixtures = process.env.MOCKKIT_FIXTURES;
if (!bin || !fixtures) {
  console.error('faults.mjs: set MOCKKIT_BIN and MOCKKIT_FIXTURES (run.sh does)');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'mockkit-faults-'));
const ready = join(dir, 'ready');
const serve = spawn(bin, [
  'serve', '--fixtures', fixtures, '--only', 'openai', '--port', 'openai=0', '--speed', '0',
  '--quiet', '--seed', '1', '--ready-file', ready,
  '--fault', 'openai:POST /v1/chat/completions:status=429,retry-after=1,times=1',
  '--fault', 'openai:POST /v1/chat/completions:cut=event:2',
], { stdio: ['ignore', 'ignore', 'inherit'] });
let exited = false;
serve.on('exit', () => { exited = true; });
for (let i = 0; i < 200 && !existsSync(ready) && !exited; i++) {  // bounded: 10 s
  await new Promise((r) => setTimeout(r, 50));
}
if (!existsSync(ready)) {
  console.error('faults.mjs: mockkit serve did not become ready');
  serve.kill();
  process.exit(2);
}
const baseURL = readFileSync(ready, 'utf8').trim().split(/\s+/)[1];
const admin = new URL('/__mockkit/requests', baseURL).href;
const client = new OpenAI({ baseURL, apiKey: 'sk-proj-testkey', timeout: 20000 });
const HELLO = [{ role: 'user', content: 'Hello, how are you?' }];

let failures = 0;
async function step(name, fn) {
  try {
    await fn();
    console.log(`PASS ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
}
function check(cond, what) {
  if (!cond) throw new Error(what);
}

await step('429 with retry-after: the SDK waits and retries, and succeeds', async () => {
  const t0 = Date.now();
  const reply = await client.chat.completions.create({ model: 'gpt-4', messages: HELLO });
  const took = Date.now() - t0;
  check(reply.object === 'chat.completion', `object ${reply.object}`);
  const journal = await (await fetch(admin)).json();
  const statuses = journal.map((e) => e.status);
  check(JSON.stringify(statuses) === '[429,200]', `mock saw statuses ${JSON.stringify(statuses)}, want [429,200]`);
  check(took >= 900, `retried after ${took} ms, retry-after asked for 1 s`);
});

await step('stream cut after two events: the SDK surfaces an error', async () => {
  const stream = await client.chat.completions.create({ model: 'gpt-4', messages: HELLO, stream: true });
  let got = 0;
  let error = null;
  try {
    for await (const chunk of stream) {
      check(chunk.object === 'chat.completion.chunk', `object ${chunk.object}`);
      got++;
    }
  } catch (e) {
    error = e;
  }
  check(got === 2, `${got} chunks before the cut, want 2`);
  check(error !== null, 'the cut stream ended without an error');
  console.log(`  (the SDK said: ${error.message}${error.cause ? `; cause: ${error.cause.message || error.cause}` : ''})`);
});

serve.kill('SIGTERM');
await new Promise((r) => (exited ? r() : serve.on('exit', r)));
rmSync(dir, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
