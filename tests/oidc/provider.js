// A real OpenID provider (the npm `oidc-provider` package) for Bulwark's OIDC tests.
//
//   node provider.js [--port N] [--client-id ID] [--client-secret S] [--redirect-uri URI]
//
// Listens on 127.0.0.1 only (port 0 by default: the OS picks a free one) and prints one line
// `PORT <n>` on stdout once it accepts requests; the issuer is http://127.0.0.1:<n>. Options may also
// come from the environment (OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI).
//
// Clients (all confidential, same secret and redirect URI, authorization code + PKCE):
//   <id>          client_secret_basic, ID tokens RS256
//   <id>-post     client_secret_post,  ID tokens PS256
//   <id>-es256    client_secret_basic, ID tokens ES256
//   <id>-es384    client_secret_basic, ID tokens ES384
//   <id>-eddsa    client_secret_basic, ID tokens EdDSA (Ed25519)
//
// Logging in without a browser: the interaction URL is answered by this script itself. It logs in
// the test account named by the authorization request's `login_hint` (alice, bob, ci-bot) and
// grants every requested scope, then redirects back into the provider, which redirects to the
// client's redirect URI with the code. A client only needs to follow redirects keeping cookies.
// An unknown login_hint ends the flow with error=access_denied.
//
// Test hooks (this is a test tool, never a deployment):
//   GET  /test/counters     {"jwks": <number of JWKS fetches so far>}
//   POST /test/rotate-keys  replaces every signing key with a fresh one (new kids)
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_PORT ?? '0' },
    'client-id': { type: 'string', default: process.env.OIDC_CLIENT_ID ?? 'bulwark' },
    'client-secret': { type: 'string', default: process.env.OIDC_CLIENT_SECRET ?? 'bulwark-test-secret' },
    'redirect-uri': {
      type: 'string',
      default: process.env.OIDC_REDIRECT_URI ?? 'http://127.0.0.1:5000/api/v1/auth/oidc/callback',
    },
  },
});

const ACCOUNTS = {
  alice: {
    email: 'alice@example.test',
    email_verified: true,
    preferred_username: 'alice',
    name: 'Alice Example',
    groups: ['platform-admins', 'developers'],
  },
  bob: {
    email: 'bob@example.test',
    email_verified: false,
    preferred_username: 'bob',
    name: 'Bob Example',
    groups: 'auditors',  // a single string, as some providers send one group
  },
  // A CI job's identity, shaped like the ID tokens CI systems issue to pipelines.
  'ci-bot': {
    preferred_username: 'ci-bot',
    groups: [],
    repository: 'acme/widgets',
    ref: 'refs/heads/main',
    run_attempt: 1,  // a number: never matches a string rule
  },
};

const CLIENT_VARIANTS = [
  { suffix: '', auth: 'client_secret_basic', alg: 'RS256' },
  { suffix: '-post', auth: 'client_secret_post', alg: 'PS256' },
  { suffix: '-es256', auth: 'client_secret_basic', alg: 'ES256' },
  { suffix: '-es384', auth: 'client_secret_basic', alg: 'ES384' },
  { suffix: '-eddsa', auth: 'client_secret_basic', alg: 'EdDSA' },
];

function signingKeys() {
  const make = (type, options, alg) => {
    const { privateKey } = crypto.generateKeyPairSync(type, options);
    return { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), alg, use: 'sig' };
  };
  return [
    make('rsa', { modulusLength: 2048 }, 'RS256'),
    make('rsa', { modulusLength: 2048 }, 'PS256'),
    make('ec', { namedCurve: 'P-256' }, 'ES256'),
    make('ec', { namedCurve: 'P-384' }, 'ES384'),
    make('ed25519', {}, 'EdDSA'),
  ];
}

async function findAccount(ctx, sub) {
  const account = ACCOUNTS[sub];
  if (!account) return undefined;
  return { accountId: sub, claims: async () => ({ sub, ...account }) };
}

// Logs in params.login_hint and consents to everything asked; returns the provider's resume URL.
async function autoInteraction(provider, ctx) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  let result;
  if (prompt.name === 'login') {
    const hint = String(params.login_hint ?? '');
    result = Object.hasOwn(ACCOUNTS, hint)
      ? { login: { accountId: hint } }
      : { error: 'access_denied', error_description: 'unknown test account' };
  } else if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  } else {
    result = { error: 'access_denied', error_description: `unexpected prompt ${prompt.name}` };
  }
  return provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
}

const counters = { jwks: 0 };

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: CLIENT_VARIANTS.map((v) => ({
      client_id: args['client-id'] + v.suffix,
      client_secret: args['client-secret'],
      redirect_uris: [args['redirect-uri']],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: v.auth,
      id_token_signed_response_alg: v.alg,
    })),
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['preferred_username', 'name'],
      groups: ['groups'],
      ci: ['repository', 'ref', 'run_attempt'],
    },
    scopes: ['openid', 'email', 'profile', 'groups', 'ci'],
    // Scope claims go into the ID token itself (not only to userinfo).
    conformIdTokenClaims: false,
    enabledJWA: { idTokenSigningAlgValues: CLIENT_VARIANTS.map((v) => v.alg) },
    features: { devInteractions: { enabled: false } },
    findAccount,
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    jwks: { keys: signingKeys() },
    pkce: { required: () => true },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  });
  provider.use(async (ctx, next) => {
    if (ctx.path === '/jwks') counters.jwks += 1;
    if (ctx.method === 'GET' && ctx.path.startsWith('/interaction/')) {
      ctx.status = 303;
      ctx.redirect(await autoInteraction(provider, ctx));
      return;
    }
    await next();
  });
  return provider;
}

const server = http.createServer();
let current;
let handler;
function install(provider) {
  current = provider;
  handler = provider.callback();
}
server.on('request', (req, res) => {
  if (req.url === '/test/counters' && req.method === 'GET') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(counters));
    return;
  }
  if (req.url === '/test/rotate-keys' && req.method === 'POST') {
    install(makeProvider(current.issuer));
    res.statusCode = 204;
    res.end();
    return;
  }
  handler(req, res);
});
server.listen(Number(args.port), '127.0.0.1', () => {
  const { port } = server.address();
  install(makeProvider(`http://127.0.0.1:${port}`));
  process.stdout.write(`PORT ${port}\n`);
});
// The test harness closes our stdin when it goes away (even if it crashes): exit with it.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
