// pieces.mjs: the unmodified @pieces.app/pieces-os-client 4.1.0 (the
// TypeScript SDK) plus `ws` run the "Build with Pieces" workshop flow
// against `mockkit serve`: connect as OPEN_SOURCE on LINUX, health, version,
// the models snapshot, then the client start-up of the Python SDK's
// PiecesClient (wrapper/client.py _startup: the conversations, assets,
// anchors and ranges identifier streams, /user/stream, the health stream
// and the LTM vision status socket, each first frame parsed with the SDK's
// FromJSON and its instanceOf* required-field checks, every identifier
// fetched by id as the SDK's caches do), then ask "Hi how are you" over
// /qgpt/stream (the SDK has no websocket wrapper, as the workshop says),
// collect the answer deltas until COMPLETED, and see the new conversation
// arrive on the conversations stream and resolve by id. Frames are built
// and parsed with the SDK's own QGPTStreamInputToJSON /
// QGPTStreamOutputFromJSON. Prints PASS/FAIL per step and exits 0 only if
// every step passes; the run is bounded.
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

// PiecesClient: platform.system() -> WINDOWS, LINUX, DARWIN->MACOS, else WEB.
for (const platform of [Pieces.PlatformEnum.Macos, Pieces.PlatformEnum.Windows, Pieces.PlatformEnum.Web]) {
  await step(`connect (OPEN_SOURCE on ${platform})`, async () => {
    const context = await new Pieces.ConnectorApi(configuration).connect({
      seededConnectorConnection: {
        application: { name: Pieces.ApplicationNameEnum.OpenSource, platform, version: '5.0.0' },
      },
    });
    check(Pieces.instanceOfContext(context), 'Context lacks a required field');
    check(context.application.platform === platform,
          `application.platform ${context.application.platform}, sent ${platform}`);
  });
}

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


// ---- PiecesClient start-up: every socket it opens --------------------------

const wsBase = base.replace(/^http/, 'ws');
const sockets = [];

// Open path; resolve with the first text frame, and keep later frames for
// `next(pred)`. The socket stays open (the SDK never closes them).
function openSocket(path) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsBase + path);
    const frames = [];
    let waiter = null;
    const s = { ws, path, frames, closed: null };
    ws.on('message', (data, isBinary) => {
      if (isBinary) { s.closed = 'binary frame'; return; }
      frames.push(data.toString('utf8'));
      if (waiter) waiter();
    });
    ws.on('close', (code) => { s.closed = `closed (${code})`; if (waiter) waiter(); });
    ws.on('error', (e) => reject(new Error(`${path}: ${e.message}`)));
    s.next = (ms = 5000) => new Promise((res, rej) => {
      const t = setTimeout(() => { waiter = null; rej(new Error(`${path}: no frame within ${ms} ms`)); }, ms);
      const poll = () => {
        if (frames.length) { clearTimeout(t); waiter = null; res(frames.shift()); }
        else if (s.closed) { clearTimeout(t); waiter = null; rej(new Error(`${path}: ${s.closed}`)); }
        else waiter = poll;
      };
      poll();
    });
    ws.on('open', () => { sockets.push(s); resolve(s); });
  });
}

// An Asset the SDK can use: its formats are full Formats whose `asset` is a
// FlattenedAsset (FormatFromJSON maps a bare id to an object without id).
function checkAsset(a) {
  check(Pieces.instanceOfAsset(a), `asset ${a.id} lacks a required field`);
  for (const f of a.formats.iterable) {
    check(Pieces.instanceOfFormat(f), `format ${f.id} of asset ${a.id} lacks a required field`);
    check(f.asset && Pieces.instanceOfFlattenedAsset(f.asset),
          `format ${f.id}: asset is not a FlattenedAsset`);
    check(f.asset.id === a.id, `format ${f.id}: asset.id ${f.asset.id} is not ${a.id}`);
  }
  check(a.original && a.original.id && a.preview && a.preview.base, `asset ${a.id}: original/preview`);
}

const fetchers = {
  asset: async (id) => checkAsset(await new Pieces.AssetApi(configuration).assetSnapshot({ asset: id })),
  conversation: async (id) => {
    const c = await new Pieces.ConversationApi(configuration).conversationGetSpecificConversation({ conversation: id });
    check(Pieces.instanceOfConversation(c), `conversation ${id} lacks a required field`);
  },
  anchor: async (id) => {
    const a = await new Pieces.AnchorApi(configuration).anchorSpecificAnchorSnapshot({ anchor: id });
    check(Pieces.instanceOfAnchor(a), `anchor ${id} lacks a required field`);
  },
  range: async (id) => {
    const r = await new Pieces.RangeApi(configuration).rangesSpecificRangeSnapshot({ range: id });
    check(Pieces.instanceOfRange(r), `range ${id} lacks a required field`);
  },
};

// StreamedIdentifiers: the first frame is the full list; each id is
// fetched by id (the SDK's StreamedIdentifiersCache), deleted ones are not.
async function identifiers(path, key) {
  const s = await openSocket(path);
  const first = Pieces.StreamedIdentifiersFromJSON(JSON.parse(await s.next()));
  check(Pieces.instanceOfStreamedIdentifiers(first), `${path}: first frame is not StreamedIdentifiers`);
  const ids = [];
  for (const item of first.iterable) {
    const id = item[key] && item[key].id;
    check(UUID.test(id || ''), `${path}: item without ${key}.id: ${JSON.stringify(item)}`);
    if (!item.deleted) { await fetchers[key](id); ids.push(id); }
  }
  console.log(`  ${path}: ${ids.length} id(s), each fetched`);
  s.ids = ids;
  return s;
}

let conversationsSocket = null;
await step('client start-up: every socket PiecesClient opens', async () => {
  const user = await new Pieces.UserApi(configuration).userSnapshot();
  check(user && user.user && Pieces.instanceOfUserProfile(user.user), 'GET /user: no UserProfile');
  conversationsSocket = await identifiers('/conversations/stream/identifiers', 'conversation');
  await identifiers('/assets/stream/identifiers', 'asset');
  const auth = await openSocket('/user/stream');
  const profile = JSON.parse(await auth.next());
  check(profile && Pieces.instanceOfUserProfile(Pieces.UserProfileFromJSON(profile)),
        '/user/stream: first frame is not a UserProfile');
  const health = await openSocket('/.well-known/stream/health');
  const ok = await health.next();
  check(ok.toLowerCase().startsWith('ok'), `/.well-known/stream/health: ${ok}`);
  await identifiers('/anchors/stream/identifiers', 'anchor');
  const vision = await openSocket('/workstream_pattern_engine/processors/vision/status/stream');
  Pieces.WorkstreamPatternEngineStatusFromJSON(JSON.parse(await vision.next()));
  // LTMVisionWS ignores the frame and asks for the status.
  const status = await new Pieces.WorkstreamPatternEngineApi(configuration)
    .workstreamPatternEngineProcessorsVisionStatus();
  check(status && typeof status === 'object', 'GET .../vision/status: no WorkstreamPatternEngineStatus');
  await identifiers('/ranges/stream/identifiers', 'range');
  await new Promise((r) => setTimeout(r, 200));
  for (const s of sockets) check(!s.closed, `${s.path}: ${s.closed} after start-up`);
});

let asked = '';
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
      asked = conversation;
      return done();
    }
    return done(new Error(`answer ended with ${out.status}: ${out.errorMessage || ''}`));
  });
  ws.on('error', (e) => done(new Error(`${url}: ${e.message}`)));
  ws.on('close', (code) => done(new Error(`${url}: closed (${code}) before COMPLETED`)));
}));

await step('the new conversation arrives on the conversations stream and resolves', async () => {
  check(!conversationsSocket.ids.includes(asked), `conversation ${asked} was listed before the chat`);
  const delta = Pieces.StreamedIdentifiersFromJSON(JSON.parse(await conversationsSocket.next()));
  const ids = delta.iterable.map((i) => i.conversation && i.conversation.id);
  check(ids.includes(asked), `delta ${JSON.stringify(ids)} does not name ${asked}`);
  await fetchers.conversation(asked);
});

for (const s of sockets) { s.ws.removeAllListeners(); s.ws.on('error', () => {}); s.ws.close(); }
clearTimeout(watchdog);
console.log(failures ? `pieces: ${failures} step(s) failed` : 'pieces: all steps passed');
process.exit(failures ? 1 : 0);
