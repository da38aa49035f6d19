// An independent HBONE peer on Node's http2 module (nghttp2), driven by NodePeerTests.
//   node hbone-peer.js server <dir>                       -> prints "LISTENING <port>", echoes each CONNECT tunnel
//   node hbone-peer.js client <dir> <port> <authority> <n> -> CONNECTs, sends n bytes, prints "STATUS <s>" and "RECEIVED <sha256>"
//   node hbone-peer.js get <dir> <port>                    -> sends a GET, prints "STATUS <s>"
//   node hbone-peer.js rapid <dir> <port> <authority> <n>  -> n CONNECTs, each cancelled (RST_STREAM) at once; prints "GOAWAY <code>" or "NOGOAWAY"
// <dir> holds cert.pem, key.pem (the peer's workload certificate) and ca.pem (the trust bundle).
'use strict';
const http2 = require('http2');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const [mode, dir, ...rest] = process.argv.slice(2);
const tls = {
  key: fs.readFileSync(path.join(dir, 'key.pem')),
  cert: fs.readFileSync(path.join(dir, 'cert.pem')),
  ca: fs.readFileSync(path.join(dir, 'ca.pem')),
  minVersion: 'TLSv1.3',
  ALPNProtocols: ['h2'],
};

function peerIdentity(socket) {
  const san = socket.getPeerCertificate().subjectaltname || '';
  return san.split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4)).join(',');
}

if (mode === 'server') {
  const server = http2.createSecureServer({ ...tls, requestCert: true, rejectUnauthorized: true });
  server.on('stream', (stream, headers) => {
    if (headers[':method'] !== 'CONNECT') {
      stream.respond({ ':status': 405 }, { endStream: true });
      return;
    }
    stream.respond({ ':status': 200, 'x-peer-identity': peerIdentity(stream.session.socket), 'x-authority': headers[':authority'] });
    stream.pipe(stream);
  });
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
} else if (mode === 'rapid') {
  const [port, authority, count] = rest;
  const session = http2.connect(`https://127.0.0.1:${port}`, { ...tls, checkServerIdentity: () => undefined });
  let reported = false;
  const report = (line) => { if (!reported) { reported = true; console.log(line); process.exit(0); } };
  let lastError = '';
  session.on('goaway', (code) => report(`GOAWAY ${code}`));
  session.on('error', (e) => { lastError = ` (${e.code || e.message})`; });
  session.on('close', () => report(`NOGOAWAY closed${lastError}`));
  session.on('connect', () => {
    // nghttp2 drops a request cancelled before its HEADERS left: cancel each one a tick later, after they are written.
    let sent = 0;
    const batch = () => {
      const reqs = [];
      for (let i = 0; i < 100 && sent < Number(count) && !session.closed && !session.destroyed; i++, sent++) {
        const req = session.request({ ':method': 'CONNECT', ':authority': authority });
        req.on('error', () => {});
        reqs.push(req);
      }
      setImmediate(() => {
        reqs.forEach((r) => r.close(http2.constants.NGHTTP2_CANCEL));
        if (sent < Number(count) && !session.closed && !session.destroyed) setImmediate(batch);
      });
    };
    batch();
    setTimeout(() => report(`NOGOAWAY after 10 s, ${sent} sent`), 10000);
  });
} else {
  const [port, authority, count] = rest;
  const session = http2.connect(`https://127.0.0.1:${port}`, { ...tls, checkServerIdentity: () => undefined });
  session.on('error', (e) => { console.log(`ERROR ${e.message}`); process.exit(2); });
  const headers = mode === 'get'
    ? { ':method': 'GET', ':path': '/', ':scheme': 'https', ':authority': authority || 'x' }
    : { ':method': 'CONNECT', ':authority': authority };
  const req = session.request(headers, { endStream: mode === 'get' });
  req.on('error', (e) => { console.log(`ERROR ${e.message}`); process.exit(3); });
  req.on('response', (h) => {
    console.log(`STATUS ${h[':status']}`);
    console.log(`SERVER ${peerIdentity(session.socket)}`);
    if (mode === 'get' || h[':status'] !== 200) {
      session.close();
      return;
    }
    const hash = crypto.createHash('sha256');
    req.on('data', (d) => hash.update(d));
    req.on('end', () => {
      console.log(`RECEIVED ${hash.digest('hex')}`);
      session.close();
    });
    const data = Buffer.alloc(Number(count));
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    console.log(`SENT ${crypto.createHash('sha256').update(data).digest('hex')}`);
    req.end(data);
  });
}
