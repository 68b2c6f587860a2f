// A real OpenID Connect provider (the certified `oidc-provider` package) for the SSO tests.
// usage: node oidc_provider.mjs <port> <client_id> <client_secret> <redirect_uri>
// Its development sign-in page takes any login name; the account's e-mail claim is that name. A name ending in
// "#mfa" signs in with several factors: the ID token then carries amr ["pwd", "mfa"] (RFC 8176), as Entra ID does
// (amr is listed under the openid scope so that the provider puts it in the ID token). A name ending in "#acr"
// gets acr "urn:acme:loa:mfa" and no amr, as an IdP with its own assurance levels sends.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: id.split("@")[0] };
      },
    };
  },
  claims: { openid: ["sub", "amr", "acr"], email: ["email", "email_verified"], profile: ["name"] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  cookies: { keys: ["selfservice-test"] },
});
const finished = provider.interactionFinished.bind(provider);
provider.interactionFinished = async (req, res, result, options) => {
  if (result.login && result.login.accountId.endsWith("#mfa")) {
    result.login.accountId = result.login.accountId.slice(0, -"#mfa".length);
    result.login.amr = ["pwd", "mfa"];
  } else if (result.login && result.login.accountId.endsWith("#acr")) {
    result.login.accountId = result.login.accountId.slice(0, -"#acr".length);
    result.login.acr = "urn:acme:loa:mfa";
  }
  return finished(req, res, result, options);
};
provider.listen(Number(port), "127.0.0.1", () => console.log("ready"));
