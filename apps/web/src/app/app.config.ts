import {
  ApplicationConfig,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { HIGHLIGHT_WORKER } from './markdown/markdown-highlighter';

/** Zoneless: signals drive change detection. No router: `Pages` picks the chat or the admin page. */
export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideBrowserGlobalErrorListeners(),
    {
      provide: HIGHLIGHT_WORKER,
      // Written out here, as the build finds and bundles a worker by this very expression.
      useValue: () =>
        new Worker(new URL('./markdown/markdown-highlight.worker', import.meta.url), {
          type: 'module',
        }),
    },
  ],
};
