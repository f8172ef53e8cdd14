// pieces.mjs: the unmodified @pieces.app/pieces-os-client 4.1.0 (the
// TypeScript SDK) plus `ws` run the "Build with Pieces" workshop flow
// against `mockkit serve`: connect as OPEN_SOURCE on LINUX, health, version,
// the models snapshot, then ask "Hi how are you" over /qgpt/stream (the SDK
// has no websocket wrapper, as the workshop says) and collect the answer
// deltas until COMPLETED. Frames are built and parsed with the SDK's own
// QGPTStreamInputToJSON / QGPTStreamOutputFromJSON. Prints PASS/FAIL per
// step and exits 0 only if every step passes; the run is bounded.
//
//   MOCKKIT_PIECES_URL=http://127.0.0.1:39300 node tools/sdk-checks/pieces.mjs
//
// Optional: MOCKKIT_CHECK_TIMEOUT_MS (default 30000).
import Pieces from '@pieces.app/pieces-os-client';
import WebSocket from 'ws';

const base = (process.env.MOCKKIT_PIECES_URL || '').replace(/\/+$/, '');
if (!base) {
  console.error('pieces.mjs: set MOCKKIT_PIECES_URL (e.g. http://127.0.0.1:39300)');
  process.exit(2);
}
const totalMs = Number(process.env.MOCKKIT_CHECK_TIMEOUT_MS || 30000);
const QUERY = 'Hi how are you';

const watchdog = setTimeout(() => {
  console.log(`FAIL timeout: the flow did not finish within ${totalMs} ms`);
  process.exit(1);
}, totalMs);

let failures = 0;
let stopped = false;

async function step(name, fn) {
  if (stopped) {
    failures++;
    console.log(`FAIL ${name}: skipped after an earlier failure`);
    return undefined;
  }
  try {
    const v = await fn();
    console.log(`PASS ${name}`);
    return v;
  } catch (e) {
    failures++;
    stopped = true; // every step needs the one before it
    let why = e && e.message ? e.message : String(e);
    if (e && e.cause && e.cause.message) why += `: ${e.cause.message}`;
    if (e && e.response && typeof e.response.text === 'function') {
      why += `: HTTP ${e.response.status} ${await e.response.text().catch(() => '')}`;
    }
    console.log(`FAIL ${name}: ${why}`);
    return undefined;
  }
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const configuration = new Pieces.Configuration({ basePath: base });

const application = await step('connect (OPEN_SOURCE on LINUX)', async () => {
  const context = await new Pieces.ConnectorApi(configuration).connect({
    seededConnectorConnection: {
      application: {
        name: Pieces.ApplicationNameEnum.OpenSource,
        platform: Pieces.PlatformEnum.Linux,
        version: '1.0.0',
      },
    },
  });
  check(context && context.application, 'Context has no application');
  check(UUID.test(context.application.id), `application.id is not a UUID: ${context.application.id}`);
  check(context.health && context.os, 'Context lacks os or health');
  return context.application;
});

await step('well-known health', async () => {
  const health = await new Pieces.WellKnownApi(configuration).getWellKnownHealth();
  check(typeof health === 'string', `health is not text: ${typeof health}`);
  check(/^ok:/i.test(health) && UUID.test(health.slice(3)), `health is not ok:<uuid>: ${health}`);
});

await step('well-known version', async () => {
  const version = await new Pieces.WellKnownApi(configuration).getWellKnownVersion();
  check(/^12\.\d+\.\d+/.test(version), `version is not 12.x.y: ${version}`);
});

const model = await step('models snapshot', async () => {
  const models = await new Pieces.ModelsApi(configuration).modelsSnapshot();
  check(models && Array.isArray(models.iterable) && models.iterable.length > 0, 'no models');
  const usable = models.iterable.filter((m) => m.cloud || m.downloaded);
  check(usable.length > 0, 'no cloud or downloaded model');
  for (const m of usable) check(UUID.test(m.id) && m.name, `model without id/name: ${JSON.stringify(m)}`);
  check(models.iterable.some((m) => m.unique === 'gemini-2.0-flash-lite-001'),
        'no model with unique gemini-2.0-flash-lite-001 (the CLI default)');
  return usable[0];
});

await step(`ask "${QUERY}" over /qgpt/stream until COMPLETED`, () => new Promise((resolve, reject) => {
  const url = base.replace(/^http/, 'ws') + '/qgpt/stream';
  const ws = new WebSocket(url);
  let answer = '';
  let chunks = 0;
  let conversation = '';
  const done = (err) => {
    ws.removeAllListeners();
    ws.on('error', () => {});
    ws.close();
    if (err) reject(err);
    else resolve();
  };
  ws.on('open', () => {
    const input = Pieces.QGPTStreamInputToJSON({
      question: {
        query: QUERY,
        relevant: { iterable: [] },
        application: application.id,
        model: model.id,
      },
    });
    ws.send(JSON.stringify(input));
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return done(new Error('binary frame on /qgpt/stream'));
    let out;
    try {
      out = Pieces.QGPTStreamOutputFromJSON(JSON.parse(data.toString('utf8')));
    } catch (e) {
      return done(new Error(`frame is not JSON: ${data}`));
    }
    if (!out.conversation) return done(new Error(`frame without conversation: ${data}`));
    if (conversation && out.conversation !== conversation) {
      return done(new Error(`conversation changed mid-answer: ${conversation} -> ${out.conversation}`));
    }
    conversation = out.conversation;
    const texts = (out.question?.answers?.iterable || []).map((a) => a.text || '');
    if (out.status === Pieces.QGPTStreamEnum.InProgress) {
      chunks += texts.length ? 1 : 0;
      answer += texts.join('');
      return undefined;
    }
    if (out.status === Pieces.QGPTStreamEnum.Completed) {
      if (texts.length) return done(new Error('COMPLETED repeats answer text'));
      if (!chunks || !answer) return done(new Error('COMPLETED before any answer text'));
      console.log(`  answer (${chunks} chunks, conversation ${conversation}): ${answer}`);
      return done();
    }
    return done(new Error(`answer ended with ${out.status}: ${out.errorMessage || ''}`));
  });
  ws.on('error', (e) => done(new Error(`${url}: ${e.message}`)));
  ws.on('close', (code) => done(new Error(`${url}: closed (${code}) before COMPLETED`)));
}));

clearTimeout(watchdog);
console.log(failures ? `pieces: ${failures} step(s) failed` : 'pieces: all steps passed');
process.exit(failures ? 1 : 0);
