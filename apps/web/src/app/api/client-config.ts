import { DOCUMENT, inject, Injectable, signal } from '@angular/core';
import { ApiPaths, ClientConfigResponse } from '@tokenstream/stream-contracts';

/** What a sign-in URL's `{returnTo}` stands for: the page to come back to, URL-encoded. */
export const RETURN_TO_PLACEHOLDER = '{returnTo}';

/**
 * The api's public client configuration (`GET /api/client-config`), loaded once at start-up. Until
 * it arrives, and when it cannot be had, it is empty: signing in is then a reload of the page.
 */
@Injectable({ providedIn: 'root' })
export class ClientConfig {
  private readonly location = inject(DOCUMENT).defaultView?.location;
  private readonly config = signal<ClientConfigResponse>({});
  private loading: Promise<ClientConfigResponse> | undefined;

  /**
   * Where the "Sign in" link goes: the configured sign-in page, or this page (a reload). Read
   * anew each time, as the page's address changes with the conversation shown.
   */
  signInHref(): string {
    return signInHrefOf(this.config().signInUrl, this.location);
  }

  /** Fetches the configuration the first time it is called; later calls share that answer. */
  load(): Promise<ClientConfigResponse> {
    this.loading ??= fetchClientConfig().then((config) => {
      this.config.set(config);
      return config;
    });
    return this.loading;
  }
}

/**
 * The "Sign in" link for `signInUrl` with `{returnTo}` replaced by this page, URL-encoded; this page
 * itself when none is configured (behind an SSO proxy, loading the page again signs in).
 */
export function signInHrefOf(
  signInUrl: string | undefined,
  location: Pick<Location, 'pathname' | 'search'> | undefined,
): string {
  const here = location ? location.pathname + location.search : '/';
  if (!signInUrl) return here || '/';
  return signInUrl.split(RETURN_TO_PLACEHOLDER).join(encodeURIComponent(here));
}

/** `GET /api/client-config` (public, so no credentials are needed); `{}` on any failure. */
async function fetchClientConfig(): Promise<ClientConfigResponse> {
  try {
    const response = await fetch(ApiPaths.clientConfig, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      redirect: 'manual',
    });
    if (!response.ok) return {};
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null) return {};
    const { signInUrl } = body as { signInUrl?: unknown };
    return typeof signInUrl === 'string' && signInUrl !== '' ? { signInUrl } : {};
  } catch {
    return {};
  }
}
