// Serves the example page on 127.0.0.1 with the rolectl package beside it
// (at /rolectl/), and passes STS calls (POST /) on to an STS endpoint, so
// the page and STS share one origin and no CORS headers are needed:
//
//   node examples/web/serve.mjs --sts http://127.0.0.1:5000 [--package crates/wasm/pkg] [--port 8080]
//
// The request is forwarded unchanged, Host header included: the SigV4
// signature covers the host the page signed for, which is this server's.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** The file under one of `mounts` ({ urlPrefix: directory }) for `pathname`. */
async function find(mounts, pathname) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    if (!pathname.startsWith(prefix)) continue;
    const root = resolve(mounts[prefix]);
    let file = normalize(join(root, decodeURIComponent(pathname.slice(prefix.length))));
    if (file !== root && !file.startsWith(root + sep)) return null;
    const info = await stat(file).catch(() => null);
    if (info?.isDirectory()) file = join(file, 'index.html');
    const found = await stat(file).catch(() => null);
    if (found?.isFile()) return file;
  }
  return null;
}

function forward(sts, req, res) {
  const target = new URL(sts);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send({
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: req.headers,
  }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`STS at ${sts} is not reachable: ${error.message}`);
  });
  req.pipe(upstream);
}

/**
 * Starts the server. `mounts` maps URL prefixes to directories; `sts` is
 * where POST / goes. Resolves to { url, close() }.
 */
export function startServer({ mounts, sts, port = 0 }) {
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (req.method === 'POST' && pathname === '/') {
      if (!sts) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('This server was started without --sts.');
        return;
      }
      forward(sts, req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const file = await find(mounts, pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ready, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      ready({
        url: `http://127.0.0.1:${bound}`,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(done); }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const pkg = option('package', join(here, '..', '..', 'crates', 'wasm', 'pkg'));
  const { url } = await startServer({
    mounts: { '/': here, '/rolectl/': pkg },
    sts: option('sts', process.env.AWS_ENDPOINT_URL_STS),
    port: Number(option('port', 8080)),
  });
  console.log(`rolectl example: ${url}/ (package from ${pkg})`);
}
