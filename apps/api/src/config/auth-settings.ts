import { z } from 'zod';
import { headerName, wholeNumber } from './setting-types';

/** The identity headers' family unless told: what oauth2-proxy's `--set-xauthrequest` sets. */
const DEFAULT_PROXY_HEADERS = 'x-auth-request';

/** One name of a proxy's own identity header, overriding the family's. */
const proxyHeader = (field: string) =>
  headerName
    .optional()
    .describe(
      `the header holding the caller's ${field}, for a proxy with names of its own, overriding the family's; the former lists \`PROXY_*_HEADERS\` stop the api at boot`,
    )
    .meta({ shown: "the family's" });

/** A claim of the OIDC token the caller is read from. */
const claim = (field: string, name: string) =>
  z.string().min(1).default(name).describe(`the claim holding the caller's ${field}`);

/** Who may call the api and how they prove it, and what each caller may do: the README's "Authentication". */
export const authSettings = {
  AUTH_MODE: z
    .string()
    .regex(/^\s*(none|oidc|proxy|apikey)(\s*,\s*(none|oidc|proxy|apikey))*\s*$/, {
      error: 'expected one or more of none, oidc, proxy, apikey, comma-separated',
    })
    .optional()
    .describe('`none`, or any of `oidc`, `proxy`, `apikey`')
    .meta({
      shown: '`none`, except with `NODE_ENV=production`: there unset stops the api (see above)',
    }),
  OIDC_ISSUER: z
    .url({ protocol: /^https?$/, error: 'expected the issuer URL' })
    .optional()
    .describe('the issuer (`iss`); its discovery document gives the keys')
    .meta({ shown: 'none (required for `oidc`)' }),
  OIDC_AUDIENCE: z
    .string()
    .optional()
    .describe('accepted audiences (`aud`), comma-separated')
    .meta({ shown: 'none (required for `oidc`)' }),
  OIDC_JWKS_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .optional()
    .describe("the issuer's signing keys, when not taken from discovery")
    .meta({ shown: 'from discovery' }),
  OIDC_ALGORITHMS: z
    .string()
    .optional()
    .describe(
      'accepted signature algorithms; asymmetric only (`none` and `HS*` are refused at boot)',
    )
    .meta({ shown: '`RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA`' }),
  OIDC_CLOCK_TOLERANCE_S: wholeNumber(0, 300).default(30).describe('leeway for `exp` and `nbf`'),
  OIDC_CLAIM_SUBJECT: claim('id', 'sub'),
  OIDC_CLAIM_EMAIL: claim('email', 'email'),
  OIDC_CLAIM_NAME: claim('name', 'name'),
  OIDC_CLAIM_GROUPS: claim('groups', 'groups'),
  TRUSTED_PROXY_CIDRS: z
    .string()
    .optional()
    .describe('addresses the auth proxy calls from, e.g. `10.0.0.0/8,127.0.0.1`')
    .meta({ shown: 'none (required for `proxy`)' }),
  PROXY_HEADERS: headerName
    .default(DEFAULT_PROXY_HEADERS)
    .describe(
      "the one family of identity headers the proxy sets, read as `<family>-user`, `-email`, `-groups`: `x-auth-request` (oauth2-proxy's `--set-xauthrequest`) or `x-forwarded`",
    ),
  PROXY_USER_HEADER: proxyHeader('id'),
  PROXY_EMAIL_HEADER: proxyHeader('email'),
  PROXY_GROUPS_HEADER: proxyHeader('groups'),
  API_KEYS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("the services' keys, as hashes")
    .meta({ shown: 'none (required for `apikey`)' }),
  ADMIN_GROUPS: z
    .string()
    .optional()
    .describe(
      "groups whose members are admins, comma-separated: groups from the SSO proxy or OIDC claims, or an API key's `groups`; the routes under `/api/admin/` and the admin page are theirs (see [Administration](#administration))",
    )
    .meta({ shown: 'none: nobody is an admin' }),
  AUTH_SIGN_IN_URL: z
    .string()
    .regex(/^(\/|https?:\/\/)\S*$/, { error: 'expected a path or an http(s) URL' })
    .optional()
    .describe(
      'where the web app sends a user whose session expired, e.g. `/oauth2/start?rd={returnTo}` (`{returnTo}`: the page to come back to); served by the public `GET /api/client-config`',
    )
    .meta({ shown: 'none: the web app reloads the page, which an SSO proxy turns into a sign-in' }),
  CORS_ORIGINS: z
    .string()
    .optional()
    .describe(
      'origins whose pages may call the api from a browser, with credentials, e.g. `https://chat.example.com` (no wildcards); any other origin gets no CORS headers',
    )
    .meta({ shown: 'none: same origin only' }),
  MODEL_GROUPS: z
    .string()
    .optional()
    .describe(
      "models only some groups may use, e.g. `gpt-4o:admins\\|power-users,o1:admins`; unlisted models are open to every user; an API key's own `models` list is an explicit grant",
    ),
  LIMIT_CONCURRENT_STREAMS: wholeNumber(0, 10_000)
    .default(4)
    .describe('streams one caller may have generating at once (`0`: no limit)'),
  LIMIT_REQUESTS_PER_MINUTE: wholeNumber(0, 1_000_000)
    .default(30)
    .describe('new streams one caller may start in any rolling minute (`0`: no limit)'),
  LIMIT_TOKENS_PER_DAY: wholeNumber(0, 1_000_000_000_000)
    .default(200_000)
    .describe('tokens one caller may use per UTC day, prompt and reply (`0`: no limit)'),
};
