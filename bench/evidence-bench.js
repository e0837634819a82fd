#!/usr/bin/env node
// Client half of bench/evidence.sh: signs in as the demo compliance manager, uploads FILE as multipart
// (streamed from disk in 1 MiB reads, with a Content-Length), downloads it again (streamed to disk, hashed
// on the way) and prints MB/s for both, the server's peak RSS after each step (SERVER_PID's VmHWM), the CPU
// time the server and the embedded PostgreSQL (POSTGRES_PID) spent on each, and whether the bytes came back intact.
// UPLOAD_MS_FILE: where to write the upload's milliseconds (bench/evidence.sh ends with its ratio to sha256sum).
// Prints figures only; asserts nothing.
'use strict';
const { createHash, randomUUID } = require('node:crypto');
const { createReadStream, createWriteStream, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { Readable, Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');

const BASE = process.env.BASE_URL;
const FILE = process.env.FILE;
/**
 * CPU seconds (user + system) used so far by the server and by the embedded PostgreSQL (POSTGRES_PID, its
 * postmaster: itself, its live processes, and the backends it has reaped), read from /proc. Unlike wall
 * time, these hardly move with the load other work puts on the machine.
 */
const TICKS = 100; // USER_HZ on Linux
function cpuOf(pid, withChildren = false) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields after "(comm) ": [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.
    return {
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0),
    };
  } catch {
    return { ppid: -1, ticks: 0 }; // the process has just ended
  }
}
const cpu = () => {
  const server = cpuOf(process.env.SERVER_PID).ticks / TICKS;
  const pg = Number(process.env.POSTGRES_PID);
  let postgres = NaN;
  if (pg) {
    postgres = cpuOf(pg, true).ticks;
    for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      const c = cpuOf(p);
      if (c.ppid === pg) postgres += c.ticks;
    }
    postgres /= TICKS;
  }
  return { server, postgres };
};
const cpuSince = (from) => {
  const now = cpu();
  return `server CPU ${(now.server - from.server).toFixed(2)} s, PostgreSQL CPU ${(now.postgres - from.postgres).toFixed(2)} s`;
};
const hwm = () => {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${process.env.SERVER_PID}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};
const line = (label, bytes, ms, extra = '') =>
  console.log(
    `${label.padEnd(34)} ${String(Math.round(bytes / 1048576 / (ms / 1000))).padStart(8)} MB/s   (${(ms / 1000).toFixed(2)} s${extra})`,
  );

async function sha256Of(path) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

async function main() {
  const size = statSync(FILE).size;
  const login = await fetch(`${BASE}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'compliance@demo.local', password: 'attest-demo' }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const expected = await sha256Of(FILE);

  // The multipart body is written by hand around a 1 MiB-chunk read stream of the file, as curl -F does:
  // undici's FormData encoder reads a file-backed Blob in 64 KiB pieces, which on 2 shared cores made the
  // client, not the server, the slower end of the upload.
  const boundary = `attest-bench-${randomUUID()}`;
  const fields = {
    title: 'Bench: large evidence file',
    controls: 'ENG-01',
    evidenceDate: new Date().toISOString().slice(0, 10),
    periodStart: '2026-01-01',
    periodEnd: '2026-12-31',
  };
  const head = Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') +
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="bench.pdf"\r\n` +
      'content-type: application/pdf\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* body() {
    yield head;
    yield* createReadStream(FILE, { highWaterMark: 1 << 20 });
    yield tail;
  }
  const cpu0 = cpu();
  let t = performance.now();
  const up = await fetch(`${BASE}/api/evidence`, {
    method: 'POST',
    headers: {
      cookie,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + size + tail.length),
    },
    body: Readable.from(body()),
    duplex: 'half',
  });
  const item = await up.json();
  const upMs = performance.now() - t;
  if (up.status !== 201) throw new Error(`upload answered ${up.status}: ${JSON.stringify(item)}`);
  line('upload (stream, hash, sniff, store)', size, upMs, `, server peak RSS ${hwm()} MB`);
  console.log(`${''.padEnd(34)} ${cpuSince(cpu0)}`);
  if (process.env.UPLOAD_MS_FILE) writeFileSync(process.env.UPLOAD_MS_FILE, String(Math.round(upMs)));

  const cpu1 = cpu();
  t = performance.now();
  const down = await fetch(`${BASE}${item.files[0].download}`, { headers: { cookie } });
  const hash = createHash('sha256');
  let received = 0;
  await pipeline(
    Readable.fromWeb(down.body),
    new Transform({
      transform(chunk, _e, done) {
        hash.update(chunk);
        received += chunk.length;
        done(null, chunk);
      },
    }),
    createWriteStream(`${FILE}.back`),
  );
  const downMs = performance.now() - t;
  const same = received === size && hash.digest('hex') === expected && item.files[0].sha256 === expected;
  line(
    'download (stream, verify hash)',
    size,
    downMs,
    `, server peak RSS ${hwm()} MB, bytes ${same ? 'identical' : 'DIFFER'}`,
  );
  console.log(`${''.padEnd(34)} ${cpuSince(cpu1)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
