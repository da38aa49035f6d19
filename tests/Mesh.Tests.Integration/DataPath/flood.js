// Load generators for the bounds tests (MeshBoundsTests), run inside lab pods; only lab addresses are used.
// Each prints one JSON line with its counts and its duration, then exits.
//   node flood.js source <port> <bytes>                         HTTP/1.0 server: streams <bytes> without a length, then ends (FIN)
//   node flood.js closed <ip> <port> <count> <parallel>         plaintext connections, counts how each ended (reset / end / error)
//   node flood.js connects <dir> <ip> <authority> <count> <sessions>  raw HTTP/2 over mTLS: <count> CONNECTs spread over <sessions>
//   node flood.js idle <dir> <ip> <count> <parallel> <holdMs>    <count> HTTP/2 sessions that open no stream, held <holdMs>
//   node flood.js rapid <dir> <ip> <authority> <count>            HEADERS + RST_STREAM pairs, pipelined, reconnecting after GOAWAY
// <dir> holds cert.pem, key.pem, ca.pem: the attacking workload's certificate (raw frames: the point is to ignore the server's limits).
'use strict';
const net = require('net');
const tls = require('tls');
const fs = require('fs');
const path = require('path');

const [mode, ...args] = process.argv.slice(2);
const started = Date.now();
const done = (result) => {
  console.log(JSON.stringify({ mode, ms: Date.now() - started, ...result }));
  process.exit(0);
};

function tlsOptions(dir, ip) {
  return {
    host: ip, port: 15008, ALPNProtocols: ['h2'], minVersion: 'TLSv1.3', rejectUnauthorized: false,
    key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')),
    ca: fs.readFileSync(path.join(dir, 'ca.pem')),
  };
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
function frame(type, flags, stream, payload) {
  const b = Buffer.alloc(9 + payload.length);
  b.writeUIntBE(payload.length, 0, 3);
  b[3] = type; b[4] = flags; b.writeUInt32BE(stream, 5);
  payload.copy(b, 9);
  return b;
}
const SETTINGS = frame(0x4, 0, 0, Buffer.alloc(0));
function connectHeaders(stream, authority) {
  // HPACK: literal without indexing, indexed names :method (2) and :authority (1)
  const a = Buffer.from(authority);
  const block = Buffer.concat([Buffer.from([0x02, 7]), Buffer.from('CONNECT'), Buffer.from([0x01, a.length]), a]);
  return frame(0x1, 0x4, stream, block);
}
function rst(stream, code) {
  const p = Buffer.alloc(4); p.writeUInt32BE(code, 0);
  return frame(0x3, 0, stream, p);
}

// Reads frames; calls onFrame(type, flags, stream, payload).
function frameReader(onFrame) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 9) {
      const len = buf.readUIntBE(0, 3);
      if (buf.length < 9 + len) break;
      onFrame(buf[3], buf[4], buf.readUInt32BE(5) & 0x7fffffff, buf.subarray(9, 9 + len));
      buf = buf.subarray(9 + len);
    }
  };
}

if (mode === 'source') {
  const [port, bytes] = args.map(Number);
  const chunk = Buffer.alloc(64 * 1024, 0x2e);
  net.createServer((s) => {
    s.once('data', () => {
      s.write('HTTP/1.0 200 OK\r\ncontent-type: application/octet-stream\r\n\r\n');
      let left = bytes;
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { s.once('drain', pump); return; }
        }
        s.end();
      };
      pump();
    });
    s.on('error', () => {});
  }).listen(port, '0.0.0.0', () => console.log(`LISTENING ${port}`));
} else if (mode === 'closed') {
  const [ip, port, count, parallel] = [args[0], ...args.slice(1).map(Number)];
  const r = { connected: 0, reset: 0, end: 0, refused: 0, other: 0 };
  let started = 0, finished = 0;
  const one = () => {
    if (started >= count) { if (finished === count) done(r); return; }
    started++;
    const s = net.connect({ host: ip, port });
    let settled = false;
    const settle = (k) => { if (settled) return; settled = true; r[k]++; finished++; s.destroy(); one(); };
    s.setTimeout(30000, () => settle('other'));
    s.on('connect', () => { r.connected++; });
    s.on('end', () => settle('end'));
    s.on('close', () => settle('end'));
    s.on('error', (e) => settle(e.code === 'ECONNRESET' ? 'reset' : e.code === 'ECONNREFUSED' ? 'refused' : 'other'));
  };
  for (let i = 0; i < parallel; i++) one();
} else if (mode === 'connects') {
  const [dir, ip, authority] = args;
  const [count, sessions] = args.slice(3).map(Number);
  const r = { sent: 0, ok: 0, refused: 0, resets: {}, goaway: {}, sessionsRefused: 0 };
  let open = 0;
  const perSession = Math.ceil(count / sessions);
  const conns = [];
  const startSession = (n) => {
    const s = tls.connect(tlsOptions(dir, ip));
    conns.push(s);
    open++;
    let got = 0;
    const settleAll = () => { if (got < n) { got = n; } };
    s.on('secureConnect', () => {
      const parts = [PREFACE, SETTINGS];
      for (let i = 0; i < n; i++) parts.push(connectHeaders(1 + 2 * i, authority));
      r.sent += n;
      s.write(Buffer.concat(parts));
    });
    s.on('data', frameReader((type, flags, stream, p) => {
      if (type === 0x1) { got++; if (p[0] === 0x88) r.ok++; else r.refused++; }
      else if (type === 0x3) { got++; const c = p.readUInt32BE(0); r.resets[c] = (r.resets[c] || 0) + 1; }
      else if (type === 0x7) { const c = p.readUInt32BE(4); r.goaway[c] = (r.goaway[c] || 0) + 1; }
      else if (type === 0x4 && !(flags & 1)) s.write(frame(0x4, 1, 0, Buffer.alloc(0)));
      if (got >= n) finish();
    }));
    let finished = false;
    const finish = () => { if (finished) return; finished = true; if (--open === 0) wrapUp(); };
    s.on('error', () => { r.sessionsRefused += (got === 0 ? 1 : 0); settleAll(); finish(); });
    s.on('close', () => finish());
  };
  // The tunnels that were accepted stay open until every session has its answers, then all are closed.
  const wrapUp = () => { setTimeout(() => { conns.forEach((c) => c.destroy()); done(r); }, 500); };
  let left = count;
  for (let i = 0; i < sessions && left > 0; i++) { const n = Math.min(perSession, left); left -= n; startSession(n); }
} else if (mode === 'idle') {
  const [dir, ip] = args;
  const [count, parallel, holdMs] = args.slice(2).map(Number);
  const r = { established: 0, refused: 0, closedByServer: 0, maxOpen: 0 };
  let open = 0;
  const conns = [];
  let started = 0, settled = 0;
  const one = () => {
    if (started >= count) return;
    started++;
    const s = tls.connect(tlsOptions(dir, ip));
    let state = 'pending';
    const settle = (k) => {
      if (state !== 'pending') return;
      state = k; r[k]++; settled++;
      if (k === 'established') { open++; r.maxOpen = Math.max(r.maxOpen, open); } else s.destroy();
      one();
      if (settled === count) hold();
    };
    s.on('secureConnect', () => s.write(Buffer.concat([PREFACE, SETTINGS])));
    s.on('data', frameReader((type, flags) => { if (type === 0x4 && !(flags & 1)) settle('established'); }));
    s.on('error', () => settle('refused'));
    s.on('close', () => { if (state === 'established') { state = 'closed'; open--; r.closedByServer++; } else settle('refused'); });
    s.setTimeout(30000, () => settle('refused'));
    conns.push(s);
  };
  // Sessions closed by the server before the end were idle longer than its idle timeout (a slow run).
  const hold = () => setTimeout(() => { r.openAtEnd = open; conns.forEach((c) => c.destroy()); done(r); }, holdMs);
  for (let i = 0; i < parallel; i++) one();
} else if (mode === 'rapid') {
  const [dir, ip, authority] = args;
  const count = Number(args[3]);
  const r = { resetsSent: 0, connections: 0, goaway: {}, responses: 0 };
  const batch = 100;
  const session = () => {
    if (r.resetsSent >= count) { done(r); return; }
    r.connections++;
    const s = tls.connect(tlsOptions(dir, ip));
    let next = 1, closed = false;
    const pump = () => {
      while (!closed && r.resetsSent < count) {
        const parts = [];
        for (let i = 0; i < batch && r.resetsSent < count; i++, r.resetsSent++, next += 2) {
          parts.push(connectHeaders(next, authority), rst(next, 0x8));
        }
        if (!s.write(Buffer.concat(parts))) { s.once('drain', pump); return; }
      }
    };
    s.on('secureConnect', () => { s.write(Buffer.concat([PREFACE, SETTINGS])); pump(); });
    s.on('data', frameReader((type, flags, stream, p) => {
      if (type === 0x7) { const c = p.readUInt32BE(4); r.goaway[c] = (r.goaway[c] || 0) + 1; }
      else if (type === 0x1) r.responses++;
    }));
    const again = () => { if (closed) return; closed = true; s.destroy(); setImmediate(session); };
    s.on('error', again);
    s.on('close', again);
  };
  session();
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
