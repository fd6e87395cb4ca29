// A certified OpenID provider for okta-k8s's end-to-end tests:
// panva's node-oidc-provider (npm "oidc-provider", OpenID Certified),
// configured as a small real deployment would be, served over HTTPS on a
// loopback address with the test CA of tests/oidc/testca.py.
//
//   node server.mjs --dir DIR --users FILE --client-id ID [--port 0]
//       [--modules DIR] [--ready-file FILE] [--log FILE] [--exit-with-parent]
//
// DIR holds the CA and the server certificate (testca.py DIR) and the
// provider's private signing keys (keys.json, made once: RS256 and an EC
// P-256 key, so the JWKS holds both kinds). FILE is JSON: a list of
// accounts {sub, email, email_verified, name, preferred_username, groups};
// one signs in with its sub.
//
// Clients: ID (public: device flow, code + PKCE, no secret); ID-secret
// (client_secret_basic, secret "s3cr3t-Value"); ID-es256 (public, ID
// tokens signed ES256). The ready file gets the issuer URL once listening.
//
// The configuration follows the project's documentation (node_modules/
// oidc-provider/docs/README.md, lib/helpers/defaults.js):
//   conformIdTokenClaims: false  the claims of the scopes granted (profile,
//                                email, groups) go into the ID token, where
//                                Kubernetes reads them;
//   features.deviceFlow          RFC 8628, its own /device pages;
//   claims                       scope -> claims, "groups" a scope of its own.
//
// The browser step is the provider's own: its device pages (/device, the
// user code confirmation) and its development interactions
// (features.devInteractions: a sign-in page that takes an account id and
// any password, and a consent page), which a deployment replaces by its
// own login UI. tests/oidc/certified/browser.py walks them. Nothing in the
// provider is changed or bypassed.

import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const a = {
    port: 0, host: '127.0.0.1', modules: path.join(here, 'node_modules'),
  };
  for (let i = 0; i < argv.length; i += 1) {
    const k = argv[i];
    const v = () => {
      i += 1;
      if (i >= argv.length) throw new Error(`${k} needs a value`);
      return argv[i];
    };
    switch (k) {
      case '--dir': a.dir = v(); break;
      case '--users': a.users = v(); break;
      case '--client-id': a.clientId = v(); break;
      case '--port': a.port = Number(v()); break;
      case '--host': a.host = v(); break;
      case '--modules': a.modules = v(); break;
      case '--ready-file': a.ready = v(); break;
      case '--log': a.log = v(); break;
      case '--exit-with-parent': a.exitWithParent = true; break;
      default: throw new Error(`unknown option ${k}`);
    }
  }
  if (!a.dir || !a.users || !a.clientId) {
    throw new Error('--dir, --users and --client-id are required');
  }
  if (!/^127\.\d+\.\d+\.\d+$/.test(a.host)) {
    throw new Error(`${a.host}: loopback (127.0.0.0/8) only`);
  }
  return a;
}

const args = parseArgs(process.argv.slice(2));

function log(text) {
  if (!args.log) return;
  fs.appendFileSync(args.log, `${new Date().toISOString()} ${text}\n`);
}

function writeAtomic(file, data, mode = 0o644) {
  const tmp = `${file}.tmp.${process.pid}`;
  fs.writeFileSync(tmp, data, { mode });
  fs.renameSync(tmp, file);
}

// The private JWKS, made once and kept (a restart keeps the keys).
function signingKeys(dir) {
  const file = path.join(dir, 'keys.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const jwk = (pair, extra) => ({
    ...pair.privateKey.export({ format: 'jwk' }), use: 'sig', ...extra,
  });
  const keys = {
    keys: [
      jwk(generateKeyPairSync('rsa', { modulusLength: 2048 }),
        { alg: 'RS256', kid: 'rsa-1' }),
      jwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }),
        { alg: 'ES256', kid: 'ec-1' }),
    ],
  };
  createPrivateKey({ key: keys.keys[0], format: 'jwk' }); // loads back
  writeAtomic(file, `${JSON.stringify(keys, null, 2)}\n`, 0o600);
  return keys;
}

// The certificate for the address served, from the test CA (testca.py).
function certificate(dir, host) {
  const out = execFileSync('/usr/bin/python3',
    [path.join(here, '..', 'testca.py'), dir, '--ip', host], { encoding: 'utf8' });
  const [, cert, key] = out.trim().split('\n');
  return { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
}

async function loadProvider(modules) {
  const require = createRequire(path.join(modules, 'index.js'));
  const mod = await import(pathToFileURL(require.resolve('oidc-provider')).href);
  return mod.default;
}

function send(res, status, obj) {
  const body = `${JSON.stringify(obj)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function main() {
  const Provider = await loadProvider(args.modules);
  const list = JSON.parse(fs.readFileSync(args.users, 'utf8'));
  const accounts = new Map();
  for (const u of list) accounts.set(u.sub, u);
  const tls = certificate(args.dir, args.host);
  const jwks = signingKeys(args.dir);
  let handler = (req, res) => send(res, 503, { error: 'starting' });
  const server = https.createServer({ ...tls, minVersion: 'TLSv1.2' }, (req, res) => handler(req, res));
  await new Promise((resolve) => { server.listen(args.port, args.host, resolve); });
  const issuer = `https://${args.host}:${server.address().port}`;
  const native = {
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://localhost:8000', 'http://localhost:18000'],
  };
  const provider = new Provider(issuer, {
    clients: [
      { client_id: args.clientId, ...native },
      {
        ...native,
        client_id: `${args.clientId}-secret`,
        client_secret: 's3cr3t-Value',
        token_endpoint_auth_method: 'client_secret_basic',
      },
      { ...native, client_id: `${args.clientId}-es256`, id_token_signed_response_alg: 'ES256' },
    ],
    jwks,
    cookies: { keys: ['okta-k8s-test-cookie-key'] },
    conformIdTokenClaims: false,
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    features: {
      deviceFlow: { enabled: true },
      devInteractions: { enabled: true },
      revocation: { enabled: true },
    },
    ttl: {
      DeviceCode: 600, IdToken: 3600, AccessToken: 3600, Grant: 86400, RefreshToken: 86400,
    },
    async findAccount(ctx, sub) {
      const u = accounts.get(sub);
      if (!u) return undefined;
      return {
        accountId: u.sub,
        async claims() {
          return { ...u };
        },
      };
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    const err = ctx.body && typeof ctx.body === 'object' && ctx.body.error
      ? ` error=${ctx.body.error}` : '';
    const form = ctx.oidc && ctx.oidc.params && ctx.method === 'POST'
      ? ` grant_type=${ctx.oidc.params.grant_type || '-'} scope=${ctx.oidc.params.scope || '-'}` : '';
    const auth = ctx.get('authorization') ? ` auth=${ctx.get('authorization').split(' ')[0]}` : '';
    log(`${ctx.method} ${ctx.path} ${ctx.status}${form}${auth}${err}`);
  });
  handler = provider.callback();
  const stop = () => {
    if (args.ready) fs.rmSync(args.ready, { force: true });
    log('stopping');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (args.exitWithParent) {
    const parent = process.ppid;
    setInterval(() => { if (process.ppid !== parent) stop(); }, 1000).unref();
  }
  log(`listening on ${issuer}`);
  if (args.ready) writeAtomic(args.ready, `${issuer}\n`);
}

main().catch((e) => {
  process.stderr.write(`server.mjs: ${e.stack || e}\n`);
  process.exit(1);
});
