// A real OpenID Connect provider on the loopback interface, for the e-ID tests: panva's
// certified oidc-provider with its development sign-in form (any password), one client and
// the accounts the test gives, each carrying an identity number claim like a BankID broker's
// or ID-porten's `pid`.
//
// Environment: OIDC_CLIENT (JSON: client_id, client_secret, redirect_uris,
// post_logout_redirect_uris), OIDC_ACCOUNTS (JSON: account id -> claims) and
// OIDC_CLAIMS_IN_USERINFO. Prints one JSON
// line with the issuer once it listens, on a free port of 127.0.0.1; stops on SIGTERM or
// when its standard input closes (the test that started it has gone).
import http from 'node:http';

import Provider from 'oidc-provider';

const client = JSON.parse(process.env.OIDC_CLIENT);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

const server = http.createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  }],
  // The identity number and the name go into the ID token itself (as e-ID brokers do), or
  // with OIDC_CLAIMS_IN_USERINFO=1 only to the userinfo endpoint.
  conformIdTokenClaims: process.env.OIDC_CLAIMS_IN_USERINFO === '1',
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'pid'],
  },
  // Every client must use PKCE: a relying party without it cannot sign in here.
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
  // A first-party relying party: no consent screen after signing in.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    await grant.save();
    return grant;
  },
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
